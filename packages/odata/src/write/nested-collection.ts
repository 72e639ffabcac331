import { describeValue } from "../edm/edm-value.ts";
import { isPlainObject } from "../edm/plain-data.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import type { RecordDraft } from "./record-draft.ts";
import { WRITE_LIMITS } from "./write-limits.ts";

/**
 * A key naming a collection-valued navigation property: an array of new related records (deep
 * insert, online creates only). Returns false when `key` is not one.
 */
export function writeNestedCollection(draft: RecordDraft, key: string, value: unknown): boolean {
  const { ctx, entity, where } = draft;
  const coll = entity.collectionNavigation(key);
  if (!coll) return false;
  const records = Array.isArray(value) && value.every(isPlainObject);
  if (ctx.mode === "offline" && !records) {
    throw xrmError(
      "InvalidArgument",
      `'${key}' is a collection-valued navigation property of ${entity.logicalName}, which offline mode does not support.`,
    );
  }
  draft.refuseNested(key);
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
    draft.addNested(key, item, coll.targetEntity, "collection", `${where}.${key}[${i}]`);
  });
  return true;
}
