import type { Metadata } from "@xrm-offline/metadata";
import { describeValue } from "../edm/edm-value.ts";
import { normalizeRecordId } from "../edm/guid.ts";
import { isPlainObject, readEntries } from "../edm/plain-data.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { resolveEntity } from "./resolve-entity.ts";
import { setNameOf } from "./write-lookups.ts";
import type { CreateOperation, LookupBinding, WebApiRequest, WriteOperation } from "./write-operation.ts";

export interface RenderOptions {
  /** The record's ETag (`W/"536530"`): update and delete send it as `If-Match` (optimistic concurrency). */
  readonly etag?: string;
  /**
   * Update without `If-Match`: PATCH then upserts, creating the record if it is missing. By default
   * an update sends `If-Match: *`, so a record deleted on the server answers 404 instead of
   * silently coming back to life.
   */
  readonly upsert?: boolean;
  /** Adds `Prefer: return=representation` (the server answers with the record). */
  readonly returnRepresentation?: boolean;
}

/**
 * The Web API request for one write operation, relative to the service root. One request is
 * always enough: clearing a lookup is `"nav@odata.bind": null` in the PATCH body, which the Web API
 * accepts (wire reference §2.5), so no separate `DELETE …/nav/$ref` is needed. Only
 * operation-specific headers are set (`If-Match`, `Prefer`); the transport adds the standard ones.
 * A create carries the record's primary key, so the server stores the GUID the client chose.
 */
export function renderRequest(
  metadata: Metadata,
  op: WriteOperation,
  options?: RenderOptions,
): WebApiRequest {
  try {
    if (!isPlainObject(op))
      throw xrmError("InvalidArgument", `renderRequest needs an operation, got ${describeValue(op)}.`);
    const entity = resolveEntity(metadata, op.entityLogicalName);
    const url = `${entity.entitySetName}(${recordId(op.id)})`;
    const headers: Record<string, string> = {};
    if (options?.returnRepresentation && op.kind !== "delete") headers.Prefer = "return=representation";
    switch (op.kind) {
      case "create":
        return { method: "POST", url: entity.entitySetName, headers, body: createBody(metadata, op, 1) };
      case "update": {
        const etag = options?.etag === undefined ? undefined : checkEtag(options.etag);
        if (etag !== undefined) headers["If-Match"] = etag;
        else if (!options?.upsert) headers["If-Match"] = "*";
        const body: Record<string, unknown> = {};
        putColumns(body, op.columns);
        putLookups(metadata, body, op.lookups);
        return { method: "PATCH", url, headers, body };
      }
      case "delete":
        if (options?.etag !== undefined) headers["If-Match"] = checkEtag(options.etag);
        return { method: "DELETE", url, headers };
      default:
        throw xrmError(
          "InvalidArgument",
          `Unknown operation kind ${describeValue((op as { kind: unknown }).kind)}.`,
        );
    }
  } catch (e) {
    if (e instanceof XrmError) throw e;
    throw xrmError("InvalidArgument", "The operation could not be rendered.", { cause: e });
  }
}

/** The POST body of a create, nested records included the way deep insert takes them. */
function createBody(metadata: Metadata, op: CreateOperation, depth: number): Record<string, unknown> {
  if (depth > 10) throw xrmError("RequestTooLarge", "The operation nests records more than 10 levels deep.");
  const entity = resolveEntity(metadata, op.entityLogicalName);
  const body: Record<string, unknown> = { [entity.primaryIdAttribute]: recordId(op.id) };
  putColumns(body, op.columns);
  putLookups(metadata, body, op.lookups);
  for (const c of op.collectionBindings ?? []) {
    const set = setNameOf(metadata, c.targetEntity);
    body[bindKey(c.navigationProperty)] = c.targetIds.map((id) => `/${set}(${recordId(id)})`);
  }
  for (const d of op.deepInsert) {
    const nested = createBody(metadata, d.operation, depth + 1);
    const name = navigationName(d.navigationProperty);
    if (d.cardinality === "single") {
      body[name] = nested;
    } else {
      const list = body[name];
      if (Array.isArray(list)) list.push(nested);
      else body[name] = [nested];
    }
  }
  return body;
}

function putColumns(body: Record<string, unknown>, columns: unknown): void {
  // readEntries refuses `__proto__` and friends, should a stored operation have been tampered with.
  for (const [k, v] of readEntries(columns, "The operation's columns")) body[k] = v;
}

function putLookups(
  metadata: Metadata,
  body: Record<string, unknown>,
  lookups: readonly LookupBinding[],
): void {
  for (const l of lookups) {
    const key = bindKey(l.navigationProperty);
    body[key] =
      l.targetId === null ? null : `/${setNameOf(metadata, l.targetEntity)}(${recordId(l.targetId)})`;
  }
}

function bindKey(navigationProperty: string): string {
  return `${navigationName(navigationProperty)}@odata.bind`;
}

function navigationName(name: unknown): string {
  if (
    typeof name !== "string" ||
    !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ||
    name === "__proto__" ||
    name === "constructor" ||
    name === "prototype"
  ) {
    throw xrmError(
      "InvalidArgument",
      `The operation names an invalid navigation property ${describeValue(name)}.`,
    );
  }
  return name;
}

function recordId(id: unknown): string {
  const guid = normalizeRecordId(id);
  if (!guid)
    throw xrmError("InvalidArgument", `The operation carries an invalid record id ${describeValue(id)}.`);
  return guid;
}

/** `W/"536530"`, `"abc"` or `*`; nothing that could smuggle another header line. */
function checkEtag(etag: unknown): string {
  if (typeof etag !== "string" || !/^(?:\*|(?:W\/)?"[\x21\x23-\x7e]*")$/.test(etag) || etag.length > 256) {
    throw xrmError(
      "InvalidArgument",
      `The ETag ${describeValue(etag)} is not valid (expected W/"<version>").`,
    );
  }
  return etag;
}
