import { describeValue } from "../edm/edm-value.ts";
import { isPlainObject, readEntries } from "../edm/plain-data.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import type { RecordDraft } from "./record-draft.ts";
import {
  bindingFromLookupObject,
  clearBinding,
  looksLikeLookupObject,
  pickNavigation,
} from "./write-lookups.ts";

/**
 * A key naming a lookup column (any of its navigations) or a single-valued navigation property
 * (just that one): `null` clears it, a lookup object sets it, any other object is a nested new
 * record (deep insert). Returns false when `key` is neither.
 */
export function writeLookupValue(draft: RecordDraft, key: string, value: unknown): boolean {
  const { ctx, entity, where } = draft;
  const nav = entity.singleValuedNavigation(key);
  const lookup = entity.lookup(key) ?? (nav ? entity.lookup(nav.lookupAttribute) : undefined);
  if (!lookup) return false;
  const candidates = entity.lookup(key) ? lookup.navigations : [nav!];
  if (value === null) {
    draft.addLookup(key, clearBinding(pickNavigation(entity, candidates)!));
    return true;
  }
  if (isPlainObject(value)) {
    const inner = readEntries(value, `${where}.${key}`);
    if (looksLikeLookupObject(inner)) {
      draft.addLookup(key, bindingFromLookupObject(ctx.metadata, entity, key, candidates, inner));
      return true;
    }
    if (!nav) {
      throw xrmError(
        "InvalidArgument",
        `'${key}' on ${entity.logicalName} is a lookup column, not a navigation property: a nested record must hang on one of ${lookup.navigations.map((n) => `'${n.name}'`).join(", ")}.`,
      );
    }
    draft.refuseNested(key);
    draft.claimLookup(nav.lookupAttribute, key);
    draft.addNested(key, value, nav.targetEntity, "single", `${where}.${key}`);
    return true;
  }
  throw xrmError(
    "InvalidArgument",
    `'${key}' on ${entity.logicalName} is a lookup: set it with '${pickNavigation(entity, candidates)!.name}@odata.bind', a lookup object { "logicalname", "id" } or null, got ${describeValue(value)}.`,
  );
}
