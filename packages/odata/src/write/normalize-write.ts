import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { v4 as uuidv4 } from "uuid";
import { describeValue } from "../edm/edm-value.ts";
import { normalizeRecordId } from "../edm/guid.ts";
import { isPlainObject } from "../edm/plain-data.ts";
import { recordIdOf } from "../edm/record-id.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { writeBindAnnotation } from "./bind-annotation.ts";
import { DEFAULT_MAX_UPLOAD_FILE_SIZE } from "./blob-ref.ts";
import { writeColumnValue } from "./column-value.ts";
import { writeLookupValue } from "./lookup-value.ts";
import { unknownPropertyError } from "./name-hints.ts";
import { writeNestedCollection } from "./nested-collection.ts";
import type { NormalizeContext } from "./normalize-context.ts";
import { RecordDraft } from "./record-draft.ts";
import { recordEntries } from "./record-entries.ts";
import { resolveEntity } from "./resolve-entity.ts";
import { setNameOf } from "./write-lookups.ts";
import type { CreateOperation, UpdateOperation } from "./write-operation.ts";

export interface NormalizeWriteInput {
  readonly entityLogicalName: string;
  /** Absent → create; present → update (unless kind says "create": a create with a chosen id). */
  readonly id?: string;
  readonly data: unknown;
  readonly mode: "offline" | "online";
  readonly kind?: "create" | "update";
}

export interface NormalizeWriteOptions {
  /** Id generator for created records (default: uuid v4). Tests pass a deterministic one. */
  readonly newId?: () => string;
  /** The org's MaxUploadFileSize for note and email attachments (default 5,242,880 bytes). */
  readonly maxUploadFileSize?: number;
}

/**
 * Validates an Xrm.WebApi `data` object against metadata and turns it into the canonical write
 * operation (see write-operation.ts). It reads `data` through property descriptors (no getter
 * ever runs), never changes it, and either returns a fresh JSON-plain operation or throws an
 * XrmError — never anything else.
 */
export function normalizeWrite(
  metadata: Metadata,
  input: NormalizeWriteInput,
  options?: NormalizeWriteOptions,
): CreateOperation | UpdateOperation {
  try {
    if (!isPlainObject(input))
      throw xrmError("InvalidArgument", `normalizeWrite needs an input object, got ${describeValue(input)}.`);
    const { entityLogicalName, id, data, mode, kind } = input;
    if (mode !== "offline" && mode !== "online") {
      throw xrmError("InvalidArgument", `mode must be "offline" or "online", got ${describeValue(mode)}.`);
    }
    if (kind !== undefined && kind !== "create" && kind !== "update") {
      throw xrmError("InvalidArgument", `kind must be "create" or "update", got ${describeValue(kind)}.`);
    }
    const entity = resolveEntity(metadata, entityLogicalName);
    let recordId: string | undefined;
    if (id !== undefined) {
      recordId = normalizeRecordId(id);
      if (!recordId)
        throw xrmError("InvalidArgument", `The id ${describeValue(id)} is not a valid record GUID.`);
    }
    const isCreate = kind === "create" || (kind === undefined && recordId === undefined);
    if (!isCreate && recordId === undefined) {
      throw xrmError("InvalidArgument", `An update of ${entity.logicalName} needs the id of the record.`);
    }
    const ctx: NormalizeContext = {
      metadata,
      mode,
      newId: options?.newId ?? uuidv4,
      maxUploadFileSize: options?.maxUploadFileSize ?? DEFAULT_MAX_UPLOAD_FILE_SIZE,
      records: 0,
      keys: 0,
      normalizeNested: (name, nested, depth, at) => normalizeNested(ctx, name, nested, depth, at),
    };
    return normalizeRecord(ctx, entity, data, isCreate, recordId, 1, "data");
  } catch (e) {
    if (e instanceof XrmError) throw e;
    // Only hostile inputs get here (a Proxy whose traps throw, a revoked proxy…).
    throw xrmError("InvalidArgument", "The data object could not be read.", { cause: e });
  }
}

/**
 * One record of the write (the data object, or a nested new record): its limits, its id, then
 * each key by what it names — an annotation, a column, a lookup or a single-valued navigation,
 * a collection-valued navigation — and the canonical operation.
 */
function normalizeRecord(
  ctx: NormalizeContext,
  entity: EntityMetadata,
  data: unknown,
  isCreate: boolean,
  givenId: string | undefined,
  depth: number,
  where: string,
): CreateOperation | UpdateOperation {
  const entries = recordEntries(ctx, data, depth, where);
  // The record's id first (nested records then get theirs after their parent's, in data order).
  const id = recordIdOf(entity, entries, isCreate, givenId, ctx.newId);
  const draft = new RecordDraft(ctx, entity, id, isCreate, depth, where);
  for (const [key, value] of entries) {
    if (key.includes("@")) {
      writeBindAnnotation(draft, key, value);
      continue;
    }
    if (key === entity.primaryIdAttribute) continue; // read before the loop
    const attribute = entity.attribute(key);
    if (attribute) writeColumnValue(draft, attribute, key, value);
    else if (!writeLookupValue(draft, key, value) && !writeNestedCollection(draft, key, value)) {
      throw unknownPropertyError(entity, key);
    }
  }
  return draft.toOperation();
}

/** A nested new record of `logicalName` (its table must exist: setNameOf throws otherwise). */
function normalizeNested(
  ctx: NormalizeContext,
  logicalName: string,
  data: unknown,
  depth: number,
  where: string,
): CreateOperation {
  setNameOf(ctx.metadata, logicalName);
  const entity = ctx.metadata.entity(logicalName)!;
  return normalizeRecord(ctx, entity, data, true, undefined, depth, where) as CreateOperation;
}
