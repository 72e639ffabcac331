import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { v4 as uuidv4 } from "uuid";
import { checkEdmValue, describeValue } from "../edm/edm-value.ts";
import { normalizeRecordId } from "../edm/guid.ts";
import { isPlainObject, readEntries } from "../edm/plain-data.ts";
import { recordIdOf } from "../edm/record-id.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { ATTACHMENT_BODY_COLUMNS, checkAttachmentBody, DEFAULT_MAX_UPLOAD_FILE_SIZE } from "./blob-ref.ts";
import { unknownNavigationError, unknownPropertyError } from "./name-hints.ts";
import { resolveEntity } from "./resolve-entity.ts";
import { WRITE_LIMITS } from "./write-limits.ts";
import {
  bindingFromBind,
  bindingFromLookupObject,
  clearBinding,
  collectionBinding,
  looksLikeLookupObject,
  pickNavigation,
  setNameOf,
} from "./write-lookups.ts";
import type {
  CollectionBinding,
  CreateOperation,
  DeepInsertRecord,
  LookupBinding,
  UpdateOperation,
} from "./write-operation.ts";

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

interface Context {
  readonly metadata: Metadata;
  readonly mode: "offline" | "online";
  readonly newId: () => string;
  readonly maxUploadFileSize: number;
  records: number;
  keys: number;
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
    const ctx: Context = {
      metadata,
      mode,
      newId: options?.newId ?? uuidv4,
      maxUploadFileSize: options?.maxUploadFileSize ?? DEFAULT_MAX_UPLOAD_FILE_SIZE,
      records: 0,
      keys: 0,
    };
    return normalizeRecord(ctx, entity, data, isCreate, recordId, 1, "data");
  } catch (e) {
    if (e instanceof XrmError) throw e;
    // Only hostile inputs get here (a Proxy whose traps throw, a revoked proxy…).
    throw xrmError("InvalidArgument", "The data object could not be read.", { cause: e });
  }
}

function normalizeRecord(
  ctx: Context,
  entity: EntityMetadata,
  data: unknown,
  isCreate: boolean,
  givenId: string | undefined,
  depth: number,
  where: string,
): CreateOperation | UpdateOperation {
  if (depth > WRITE_LIMITS.maxDepth) {
    throw xrmError(
      "RequestTooLarge",
      `${where}: nested records go deeper than ${WRITE_LIMITS.maxDepth} levels.`,
    );
  }
  if (++ctx.records > WRITE_LIMITS.maxRecords) {
    throw xrmError("RequestTooLarge", `The write creates more than ${WRITE_LIMITS.maxRecords} records.`);
  }
  const entries = readEntries(data, where);
  ctx.keys += entries.length;
  if (entries.length > WRITE_LIMITS.maxKeys || ctx.keys > WRITE_LIMITS.maxTotalKeys) {
    throw xrmError(
      "RequestTooLarge",
      `${where} has ${entries.length} keys; at most ${WRITE_LIMITS.maxKeys} per record and ${WRITE_LIMITS.maxTotalKeys} per write are accepted.`,
    );
  }

  // The record's id first (nested records then get theirs after their parent's, in data order).
  const id = recordIdOf(entity, entries, isCreate, givenId, ctx.newId);
  const columns: Record<string, unknown> = {};
  const lookups: LookupBinding[] = [];
  const deepInsert: DeepInsertRecord[] = [];
  const collectionBindings: CollectionBinding[] = [];
  /** Lookup column → the key that set it, to refuse setting one lookup twice. */
  const lookupSetBy = new Map<string, string>();

  const claimLookup = (lookupAttribute: string, key: string) => {
    const previous = lookupSetBy.get(lookupAttribute);
    if (previous !== undefined) {
      throw xrmError(
        "InvalidArgument",
        `${where} sets the lookup '${lookupAttribute}' of ${entity.logicalName} twice ('${previous}' and '${key}').`,
      );
    }
    lookupSetBy.set(lookupAttribute, key);
  };
  const addLookup = (key: string, binding: LookupBinding) => {
    claimLookup(binding.lookupAttribute, key);
    lookups.push(binding);
  };
  const addNested = (
    key: string,
    item: unknown,
    targetEntity: string,
    cardinality: "single" | "collection",
    at: string,
  ) => {
    const target = tableOf(ctx, targetEntity);
    const operation = normalizeRecord(ctx, target, item, true, undefined, depth + 1, at) as CreateOperation;
    deepInsert.push({ navigationProperty: key, cardinality, operation });
  };
  const refuseNested = (key: string) => {
    if (ctx.mode === "offline") {
      throw xrmError(
        "InvalidArgument",
        `Deep insert is not available in offline mode: '${key}' on ${entity.logicalName} holds a new related record. Create that record on its own, then link it with '@odata.bind'.`,
      );
    }
    if (!isCreate) {
      throw xrmError(
        "InvalidArgument",
        `'${key}' holds a new related record, which only a create can insert; updateRecord cannot create related ${entity.logicalName} records.`,
      );
    }
  };

  for (const [key, value] of entries) {
    const at = key.indexOf("@");
    if (at >= 0) {
      const name = key.slice(0, at);
      const annotation = key.slice(at + 1);
      if (annotation !== "odata.bind" || name === "") {
        throw xrmError(
          "ODataParserError",
          `'${key.slice(0, 80)}' is not accepted in a write: the only annotation a data object may carry is '<navigation property>@odata.bind'.`,
        );
      }
      const nav = entity.singleValuedNavigation(name);
      if (nav) {
        addLookup(key, bindingFromBind(ctx.metadata, entity, nav, value));
        continue;
      }
      const coll = entity.collectionNavigation(name);
      if (!coll) throw unknownNavigationError(entity, key, name);
      if (ctx.mode === "offline") {
        throw xrmError(
          "InvalidArgument",
          `'${key}' binds the collection-valued navigation property '${name}', which offline mode does not support (associate records when online).`,
        );
      }
      if (!isCreate) {
        throw xrmError(
          "InvalidArgument",
          `'${key}': the Web API binds collection-valued navigation properties only when creating a record; use Xrm.WebApi.online.execute with an Associate request to link existing records.`,
        );
      }
      collectionBindings.push(collectionBinding(ctx.metadata, entity, key, coll.targetEntity, value));
      continue;
    }

    if (key === entity.primaryIdAttribute) continue; // read before the loop
    const attribute = entity.attribute(key);
    if (attribute) {
      if (/^_.+_value$/.test(key)) {
        throw xrmError(
          "InvalidArgument",
          `'${key}' is the read-only value of a lookup; set the lookup with '<navigation property>@odata.bind' or a lookup object.`,
        );
      }
      if (ATTACHMENT_BODY_COLUMNS[entity.logicalName] === key && typeof value === "string") {
        // A file in base64: capped by the org's attachment size, not by the text column limit.
        columns[key] = checkAttachmentBody(entity.logicalName, key, value, ctx.maxUploadFileSize);
        continue;
      }
      const checked = checkEdmValue(attribute.type, value);
      if (!checked.ok) {
        const tooLong = typeof value === "string" && value.length > WRITE_LIMITS.maxStringLength;
        throw xrmError(
          tooLong ? "StringLengthTooLong" : "ODataParserError",
          tooLong
            ? `The length of the '${key}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${WRITE_LIMITS.maxStringLength}'.`
            : `Cannot write '${key}' (${attribute.type}) on ${entity.logicalName}: ${checked.reason}.`,
        );
      }
      columns[key] = checked.value;
      continue;
    }

    const nav = entity.singleValuedNavigation(key);
    const lookup = entity.lookup(key) ?? (nav ? entity.lookup(nav.lookupAttribute) : undefined);
    if (lookup) {
      // `key` is a lookup column (any of its navigations) or a navigation property (just that one).
      const candidates = entity.lookup(key) ? lookup.navigations : [nav!];
      if (value === null) {
        addLookup(key, clearBinding(pickNavigation(entity, candidates)!));
        continue;
      }
      if (isPlainObject(value)) {
        const inner = readEntries(value, `${where}.${key}`);
        if (looksLikeLookupObject(inner)) {
          addLookup(key, bindingFromLookupObject(ctx.metadata, entity, key, candidates, inner));
          continue;
        }
        if (!nav) {
          throw xrmError(
            "InvalidArgument",
            `'${key}' on ${entity.logicalName} is a lookup column, not a navigation property: a nested record must hang on one of ${lookup.navigations.map((n) => `'${n.name}'`).join(", ")}.`,
          );
        }
        refuseNested(key);
        claimLookup(nav.lookupAttribute, key);
        addNested(key, value, nav.targetEntity, "single", `${where}.${key}`);
        continue;
      }
      throw xrmError(
        "InvalidArgument",
        `'${key}' on ${entity.logicalName} is a lookup: set it with '${pickNavigation(entity, candidates)!.name}@odata.bind', a lookup object { "logicalname", "id" } or null, got ${describeValue(value)}.`,
      );
    }

    const coll = entity.collectionNavigation(key);
    if (coll) {
      const records = Array.isArray(value) && value.every(isPlainObject);
      if (ctx.mode === "offline" && !records) {
        throw xrmError(
          "InvalidArgument",
          `'${key}' is a collection-valued navigation property of ${entity.logicalName}, which offline mode does not support.`,
        );
      }
      refuseNested(key);
      if (!Array.isArray(value) || !records) {
        throw xrmError(
          "InvalidArgument",
          `'${key}' is a collection-valued navigation property of ${entity.logicalName}: it takes an array of new ${coll.targetEntity} records (to link existing ones use '${key}@odata.bind'), got ${describeValue(value)}.`,
        );
      }
      if (value.length > WRITE_LIMITS.maxRecords) {
        throw xrmError("RequestTooLarge", `'${key}' holds more than ${WRITE_LIMITS.maxRecords} records.`);
      }
      value.forEach((item, i) => {
        addNested(key, item, coll.targetEntity, "collection", `${where}.${key}[${i}]`);
      });
      continue;
    }

    throw unknownPropertyError(entity, key);
  }

  const base = { entityLogicalName: entity.logicalName, entitySetName: entity.entitySetName, id };
  if (!isCreate) return { kind: "update", ...base, columns, lookups };
  const op: CreateOperation = { kind: "create", ...base, columns, lookups, deepInsert };
  return collectionBindings.length > 0 ? { ...op, collectionBindings } : op;
}

function tableOf(ctx: Context, logicalName: string): EntityMetadata {
  setNameOf(ctx.metadata, logicalName); // throws when the table is unknown
  return ctx.metadata.entity(logicalName)!;
}
