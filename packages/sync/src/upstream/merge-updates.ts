import type { LookupBinding, UpdateOperation } from "@xrm-offline/odata";

/**
 * One update with the effect of `first` then `second` on the same record: later column values
 * win, and a later binding of a lookup column (set, re-targeted or cleared) replaces the earlier
 * one. Only consecutive updates of one record may be merged (never across a create or delete);
 * the round planner enforces that.
 */
export function mergeUpdates(first: UpdateOperation, second: UpdateOperation): UpdateOperation {
  // Spread copies own keys as data properties, so a hostile "__proto__" column stays a column.
  const columns = { ...first.columns, ...second.columns };
  const byAttribute = new Map<string, LookupBinding>();
  for (const binding of [...first.lookups, ...second.lookups]) {
    // delete first, so the later binding also takes the later position
    byAttribute.delete(binding.lookupAttribute);
    byAttribute.set(binding.lookupAttribute, binding);
  }
  return { ...first, columns, lookups: [...byAttribute.values()] };
}
