/**
 * The requests of a pull (pure): URLs relative to the service root and their `Prefer` values.
 * Dataverse change tracking refuses `$filter`, so a filtered table takes its delta token from an
 * ids-only tracked scan and its rows from a plain filtered read; the delta (ids only, as the scan
 * that made its link) then lists every change of the table, and the changed rows in scope are
 * fetched by id with the filter, which the server evaluates.
 */
import type { TablePlan } from "./offline-profile.ts";

/** Lookup annotations and formatted values come down, stored as offline writes store them. */
export const PREFER_ANNOTATIONS = 'odata.include-annotations="*"';
export const PREFER_TRACK = "odata.track-changes";
/** Dataverse's largest page. */
export const MAX_PAGE_SIZE = 5000;

export function preferPageSize(size: number): string {
  return `odata.maxpagesize=${size}`;
}

function query(plan: TablePlan, parts: readonly (string | undefined)[]): string {
  const kept = parts.filter((p): p is string => p !== undefined);
  return kept.length === 0 ? plan.entitySet : `${plan.entitySet}?${kept.join("&")}`;
}

function filterPart(filter: string | undefined): string | undefined {
  return filter === undefined ? undefined : `$filter=${encodeURIComponent(filter)}`;
}

/** Every column of the rows in scope (the profile's own filter, if any). */
export function rowsUrl(plan: TablePlan): string {
  return query(plan, [filterPart(plan.own?.filter)]);
}

/** Primary keys only: of the whole table (the tracked token scan), or of the rows in scope. */
export function idsUrl(plan: TablePlan, filter: string | undefined): string {
  return query(plan, [`$select=${plan.primaryId}`, filterPart(filter)]);
}

/** One row with `@odata.count` of the rows in scope (best effort: progress only). */
export function countUrl(plan: TablePlan): string {
  return query(plan, [`$select=${plan.primaryId}`, filterPart(plan.own?.filter), "$count=true"]);
}

/**
 * The rows among `ids` that also match `filter` (when given), every column. `or` of `eq` works on
 * every Dataverse version, where `in` does not.
 */
export function byIdsUrl(
  plan: TablePlan,
  ids: readonly string[],
  options: { readonly filter?: string } = {},
): string {
  const idFilter = ids.map((id) => `${plan.primaryId} eq ${id}`).join(" or ");
  const filter = options.filter === undefined ? idFilter : `(${options.filter}) and (${idFilter})`;
  return query(plan, [filterPart(filter)]);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
