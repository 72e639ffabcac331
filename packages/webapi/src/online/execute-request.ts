import type { Metadata } from "@xrm-offline/metadata";
import {
  normalizeDelete,
  normalizeRecordId,
  normalizeWrite,
  renderRequest,
  type WebApiRequest,
  xrmError,
} from "@xrm-offline/odata";
import { entitySetOf } from "./entity-set-of.ts";

/** What `request.getMetadata()` returns (execute.md). */
interface RequestMetadata {
  readonly boundParameter?: string | null;
  readonly operationName?: string;
  readonly operationType?: number;
  readonly parameterTypes?: Record<string, unknown>;
}

interface EntityReference {
  readonly entityType: string;
  readonly id: string;
}

/**
 * Turns an `Xrm.WebApi.online.execute` request object into one Web API request:
 * CRUD (operationType 2: Create, Retrieve, Update, Delete, Associate, Disassociate), actions
 * (0, POST) and functions (1, GET), bound to a record (`boundParameter: "entity"`) or unbound.
 * Associate with several related records becomes several requests.
 */
export function executeRequests(metadata: Metadata, request: unknown): WebApiRequest[] {
  if (typeof request !== "object" || request === null) {
    throw xrmError("InvalidArgument", "execute needs a request object with a getMetadata() method.");
  }
  const r = request as Record<string, unknown> & { getMetadata?: () => RequestMetadata };
  if (typeof r.getMetadata !== "function") {
    throw xrmError("InvalidArgument", "The request object has no getMetadata() method.");
  }
  const meta = r.getMetadata();
  const name = meta?.operationName;
  if (typeof name !== "string" || name === "")
    throw xrmError("InvalidArgument", "getMetadata() has no operationName.");
  switch (meta.operationType) {
    case 2:
      return crud(metadata, name, r);
    case 0:
    case 1:
      return [operation(metadata, meta, name, r)];
    default:
      throw xrmError("InvalidArgument", `Unknown operationType ${String(meta.operationType)} for ${name}.`);
  }
}

function crud(metadata: Metadata, name: string, r: Record<string, unknown>): WebApiRequest[] {
  switch (name) {
    case "Create": {
      const op = normalizeWrite(metadata, {
        entityLogicalName: String(r.etn),
        data: r.payload,
        mode: "online",
      });
      return [renderRequest(metadata, op)];
    }
    case "Update": {
      const op = normalizeWrite(metadata, {
        entityLogicalName: String(r.etn),
        id: String(r.id),
        data: r.payload,
        mode: "online",
      });
      return [renderRequest(metadata, op)];
    }
    case "Delete": {
      const ref = reference(r.entityReference);
      return [
        renderRequest(metadata, normalizeDelete(metadata, { entityLogicalName: ref.entityType, id: ref.id })),
      ];
    }
    case "Retrieve": {
      const ref = reference(r.entityReference);
      const set = entitySetOf(metadata, ref.entityType);
      const columns = Array.isArray(r.columns) ? r.columns.map(String) : [];
      const select = columns.length > 0 ? `?$select=${columns.map(encodeURIComponent).join(",")}` : "";
      return [{ method: "GET", url: `${set}(${id(ref.id)})${select}`, headers: {} }];
    }
    case "Associate": {
      const target = reference(r.target);
      const relationship = navigationName(r.relationship);
      const related = Array.isArray(r.relatedEntities) ? r.relatedEntities.map(reference) : [];
      if (related.length === 0) throw xrmError("InvalidArgument", "Associate needs relatedEntities.");
      const set = entitySetOf(metadata, target.entityType);
      return related.map((rel) => ({
        method: "POST" as const,
        url: `${set}(${id(target.id)})/${relationship}/$ref`,
        headers: {},
        body: { "@odata.id": `${entitySetOf(metadata, rel.entityType)}(${id(rel.id)})` },
      }));
    }
    case "Disassociate": {
      const target = reference(r.target);
      const relationship = navigationName(r.relationship);
      const set = entitySetOf(metadata, target.entityType);
      // Collection-valued: …/rel(<id>)/$ref; single-valued (no relatedEntityId): …/nav/$ref.
      const related = r.relatedEntityId === undefined ? "" : `(${id(r.relatedEntityId)})`;
      return [
        { method: "DELETE", url: `${set}(${id(target.id)})/${relationship}${related}/$ref`, headers: {} },
      ];
    }
    default:
      throw xrmError("InvalidArgument", `Unsupported CRUD operationName ${JSON.stringify(name)}.`);
  }
}

function operation(
  metadata: Metadata,
  meta: RequestMetadata,
  name: string,
  r: Record<string, unknown>,
): WebApiRequest {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name))
    throw xrmError("InvalidArgument", `Invalid operation name ${name}.`);
  let prefix = "";
  if (meta.boundParameter === "entity") {
    const ref = reference(r.entity);
    prefix = `${entitySetOf(metadata, ref.entityType)}(${id(ref.id)})/Microsoft.Dynamics.CRM.`;
  }
  const params = Object.keys(meta.parameterTypes ?? {}).filter((p) => p !== "entity" && r[p] !== undefined);
  if (meta.operationType === 0) {
    const body: Record<string, unknown> = {};
    for (const p of params) body[p] = r[p];
    return { method: "POST", url: `${prefix}${name}`, headers: {}, body };
  }
  // Functions take their parameters as aliases: Fn(a=@a)?@a=<json literal>.
  const signature = params.map((p) => `${p}=@${p}`).join(",");
  const aliases = params.map((p) => `@${p}=${encodeURIComponent(literal(r[p]))}`).join("&");
  return { method: "GET", url: `${prefix}${name}(${signature})${aliases ? `?${aliases}` : ""}`, headers: {} };
}

function literal(value: unknown): string {
  return typeof value === "string" ? `'${value.replaceAll("'", "''")}'` : JSON.stringify(value);
}

function reference(value: unknown): EntityReference {
  const v = value as Partial<EntityReference> | null | undefined;
  if (typeof v?.entityType !== "string" || typeof v.id !== "string") {
    throw xrmError("InvalidArgument", "An entity reference needs entityType and id strings.");
  }
  return { entityType: v.entityType, id: v.id };
}

function id(value: unknown): string {
  const guid = normalizeRecordId(value);
  if (!guid) throw xrmError("InvalidArgument", `${JSON.stringify(value)} is not a valid record GUID.`);
  return guid;
}

function navigationName(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw xrmError("InvalidArgument", `Invalid relationship name ${JSON.stringify(value)}.`);
  }
  return value;
}
