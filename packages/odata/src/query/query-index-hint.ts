import type { FilterNode, IndexHint } from "./query-plan.ts";

/**
 * The equality a store can look up in an index before running the full predicate: one
 * `column eq literal` that every matching row must satisfy, i.e. the filter itself or a direct
 * child of a top-level `and`. Preference: primary key, then a lookup (`_x_value`), then any
 * other GUID, then text / numbers / booleans. Dates are left out (stored text varies in form).
 */
export function indexHintOf(filter: FilterNode | undefined, primaryKey: string): IndexHint | undefined {
  if (!filter) return undefined;
  const candidates = filter.kind === "and" ? filter.children : [filter];
  let best: { hint: IndexHint; rank: number } | undefined;
  for (const node of candidates) {
    if (node.kind !== "compare" || node.op !== "eq" || node.column.via) continue;
    const v = node.value;
    if (v.type !== "string" && v.type !== "guid" && v.type !== "number" && v.type !== "boolean") continue;
    const p = node.column.property;
    const rank =
      p === primaryKey
        ? 0
        : v.type === "guid" && p.startsWith("_") && p.endsWith("_value")
          ? 1
          : v.type === "guid"
            ? 2
            : 3;
    if (!best || rank < best.rank) {
      best = { hint: { property: p, value: v.value, caseInsensitive: v.type === "string" }, rank };
    }
  }
  return best?.hint;
}
