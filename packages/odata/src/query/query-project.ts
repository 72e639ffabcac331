import {
  compileNode,
  type EvaluationContext,
  type Row,
  type RowPredicate,
  relatedRow,
} from "./filter-compile.ts";
import { joinedOf } from "./query-joined-row.ts";
import type { ExpandPlan, QueryPlan } from "./query-plan.ts";

/**
 * Shapes a stored row into what Xrm.WebApi returns:
 * - the selected columns (all stored columns without `$select`), always the primary key and
 *   `@odata.etag` when the row has one, and each column's annotations (`_x_value@…lookuplogicalname`,
 *   `…@OData.Community.Display.V1.FormattedValue`) when the row carries them;
 * - OData returns a selected column that is null as `null`; FetchXML leaves it out, as the
 *   Web API does for FetchXML results;
 * - `$expand` nests the related row (`primarycontactid: {…}` or null); a FetchXML link-entity
 *   flattens its columns onto the row as `alias.column` (lookups as `alias.primarycontactid`).
 */

export type Projector = (row: Row) => Record<string, unknown>;

const ETAG = "@odata.etag";

/** Copies `columns` (or every key) of `row` with their annotations onto `out`, keys renamed by `key`. */
function copyColumns(
  out: Record<string, unknown>,
  row: Row,
  columns: ReadonlySet<string> | "all",
  keepNulls: boolean,
  key: (property: string) => string,
): void {
  if (columns !== "all") {
    for (const p of columns) {
      const v = row[p];
      if (v !== undefined && v !== null) out[key(p)] = v;
      else if (keepNulls) out[key(p)] = null;
    }
  }
  for (const k of Object.keys(row)) {
    if (k === "__proto__") continue; // an own "__proto__" key must not become a prototype
    const at = k.indexOf("@");
    if (at === 0) continue; // @odata.etag and other row-level annotations are handled apart
    const base = at < 0 ? k : k.slice(0, at);
    if (columns !== "all" && !columns.has(base)) continue;
    const v = row[k];
    if (at < 0) {
      if (columns !== "all") continue; // already copied above, in select order
      if (v === null && !keepNulls) continue;
    }
    out[at < 0 ? key(k) : `${key(base)}${k.slice(at)}`] = v;
  }
}

/** `_primarycontactid_value` → `primarycontactid` (FetchXML logical name); other names unchanged. */
function logicalName(property: string): string {
  return property.startsWith("_") && property.endsWith("_value") && property.length > 7
    ? property.slice(1, -6)
    : property;
}

function expandProjector(
  e: ExpandPlan,
  ctx: EvaluationContext,
  fetch: boolean,
): (out: Record<string, unknown>, row: Row) => void {
  const linkFilter: RowPredicate | undefined = e.filter ? compileNode(e.filter, ctx) : undefined;
  const columns = e.select === "all" ? "all" : new Set(e.select);
  const resolve = ctx.resolveRelated;
  const find = (row: Row): Row | undefined => {
    const related = relatedRow(row, e, resolve);
    return related && (!linkFilter || linkFilter(related)) ? related : undefined;
  };
  if (e.shape === "flattened") {
    const alias = e.alias ?? e.navigation;
    return (out, row) => {
      const related = find(row);
      if (related) copyColumns(out, related, columns, !fetch, (p) => `${alias}.${logicalName(p)}`);
    };
  }
  return (out, row) => {
    const related = find(row);
    if (!related) {
      out[e.navigation] = null;
      return;
    }
    const nested: Record<string, unknown> = {};
    const etag = related[ETAG];
    if (etag !== undefined) nested[ETAG] = etag;
    const annotated = row[`${e.lookupProperty}@Microsoft.Dynamics.CRM.lookuplogicalname`];
    const entity = typeof annotated === "string" ? annotated : e.targetEntity;
    const pk = Object.hasOwn(e.targetPrimaryKeys, entity) ? e.targetPrimaryKeys[entity] : undefined;
    if (pk !== undefined) nested[pk] = related[pk] ?? null;
    copyColumns(nested, related, columns, true, (p) => p);
    out[e.navigation] = nested;
  };
}

export function makeProjector(plan: QueryPlan, ctx: EvaluationContext = {}): Projector {
  const fetch = plan.source === "fetchxml";
  const columns = plan.select === "all" ? "all" : new Set(plan.select.filter((p) => p !== plan.primaryKey));
  const pk = plan.primaryKey;
  const expands = plan.expand.map((e) => expandProjector(e, ctx, fetch));
  const joins = (plan.joins ?? []).map((j) => ({
    alias: j.alias,
    columns: j.select === "all" ? ("all" as const) : new Set(j.select),
  }));
  return (joinedRow) => {
    // A joined row projects as its parent plus each child's columns as `alias.column`.
    const joined = joinedOf(joinedRow);
    const row = joined?.parent ?? joinedRow;
    const out: Record<string, unknown> = {};
    const etag = row[ETAG];
    if (etag !== undefined) out[ETAG] = etag;
    out[pk] = row[pk] ?? null;
    copyColumns(out, row, columns, !fetch, (p) => p);
    for (const x of expands) x(out, row);
    for (const j of joins) {
      const child = joined?.children.get(j.alias);
      if (child) copyColumns(out, child, j.columns, false, (p) => `${j.alias}.${logicalName(p)}`);
    }
    return out;
  };
}
