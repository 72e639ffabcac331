import type { EdmType, EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { formattedValue } from "../format/formatted-value.ts";
import { parsePrefer, wantsAnnotation } from "../http/prefer.ts";
import {
  codeError,
  jsonResponse,
  queryError,
  unknownQueryProperty,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { columnSql, filterToSql, type SqlFragment } from "../odata/filter-sql.ts";
import { navigationPathSql } from "../odata/navigation-path.ts";
import type { QueryOptions } from "../odata/query-options.ts";
import { parseApply } from "./apply-parser.ts";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
/** Dataverse's limit for aggregate queries ("limited to a collection of 50,000 records"). */
const AGGREGATE_LIMIT = 50_000;
const NUMERIC = /^Edm\.(Byte|Int16|Int32|Int64|Decimal|Double|Single)$/;

function column(entity: EntityMetadata, ctx: ServerContext, name: string): { sql: string; type: EdmType } {
  if (name.includes("/")) return navigationPathSql(name, entity, ctx.schema.metadata);
  const attr = entity.attribute(name);
  if (!attr) throw unknownQueryProperty(name, entity.logicalName);
  return { sql: columnSql(attr.name), type: attr.type };
}

/** Put `a/b` = v into `out.a.b` (grouping through a lookup returns the nested shape). */
function setPath(out: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split("/");
  let node = out;
  for (const p of parts.slice(0, -1)) {
    node[p] ??= {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * `GET /<set>?$apply=…` (and on a navigation collection): groupby and aggregate computed by
 * SQLite over the rows the request's `$filter` and the apply's filter() steps select.
 */
export function readAggregate(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  opts: QueryOptions,
  scope: SqlFragment | undefined,
): WireResponse {
  if (opts.select || opts.expand || opts.top !== undefined || opts.skipToken !== undefined)
    throw queryError("$apply cannot be combined with $select, $expand, $top or $skiptoken.");
  const plan = parseApply(opts.apply!);
  const prefs = parsePrefer(req.headers.get("prefer"));
  const clauses: string[] = ["entity = ?"];
  const params: unknown[] = [entity.logicalName];
  for (const f of [...(opts.filter ? [opts.filter] : []), ...plan.filters]) {
    const frag = filterToSql(f, entity, ctx.schema);
    clauses.push(`(${frag.sql})`);
    params.push(...frag.params);
  }
  if (scope) {
    clauses.push(`(${scope.sql})`);
    params.push(...scope.params);
  }
  const where = clauses.join(" AND ");
  const total = ctx.store.db.prepare(`SELECT count(*) AS n FROM records WHERE ${where}`).get(...params) as {
    n: number;
  };
  if (total.n > AGGREGATE_LIMIT)
    throw codeError("0x8004e023", 400, "AggregateQueryRecordLimit exceeded. Cannot perform this operation.");

  const groups = plan.groupBy.map((g) => ({ name: g, ...column(entity, ctx, g) }));
  for (const g of groups) {
    if (g.type === "Edm.DateTimeOffset") throw queryError("groupby with datetime values is not supported.");
  }
  const selects = groups.map((g, i) => `${g.sql} AS g${i}`);
  const aggs = plan.aggregates.map((a, i) => {
    if (a.method === "count") return { ...a, type: "Edm.Int32" as EdmType, sql: `count(*) AS a${i}` };
    const col = column(entity, ctx, a.property!);
    if ((a.method === "sum" || a.method === "average") && !NUMERIC.test(col.type))
      throw queryError(`The aggregation method '${a.method}' applies to number columns only.`);
    const fn = { sum: "sum", average: "avg", min: "min", max: "max", countdistinct: "count" }[a.method];
    const sql = a.method === "countdistinct" ? `count(DISTINCT ${col.sql})` : `${fn}(${col.sql})`;
    const type: EdmType = a.method === "countdistinct" ? "Edm.Int32" : col.type;
    return { ...a, type, sql: `${sql} AS a${i}` };
  });
  selects.push(...aggs.map((a) => a.sql));
  if (selects.length === 0) throw queryError("$apply needs groupby or aggregate.");
  const groupSql =
    groups.length > 0
      ? ` GROUP BY ${groups.map((_, i) => `g${i}`).join(", ")} ORDER BY ${groups.map((_, i) => `g${i}`).join(", ")}`
      : "";
  const rows = ctx.store.db
    .prepare(`SELECT ${selects.join(", ")} FROM records WHERE ${where}${groupSql}`)
    .all(...params) as Record<string, unknown>[];

  const wantFormatted = wantsAnnotation(prefs, FORMATTED);
  const value = rows.map((row) => {
    const out: Record<string, unknown> = {};
    groups.forEach((g, i) => {
      let v = row[`g${i}`] ?? null;
      if (g.type === "Edm.Boolean" && v !== null) v = v === 1;
      if (wantFormatted && v !== null && !g.name.includes("/")) {
        const label = formattedValue(ctx, entity, g.name, v);
        if (label !== undefined) out[`${g.name}@${FORMATTED}`] = label;
      }
      setPath(out, g.name, v);
    });
    aggs.forEach((a, i) => {
      const v = row[`a${i}`] ?? null;
      if (wantFormatted && v !== null && a.property && !a.property.includes("/")) {
        const label = formattedValue(ctx, entity, a.property, v);
        if (label !== undefined) out[`${a.alias}@${FORMATTED}`] = label;
      } else if (wantFormatted && typeof v === "number")
        out[`${a.alias}@${FORMATTED}`] = v.toLocaleString("en-US");
      out[a.alias] = v;
    });
    return out;
  });
  return jsonResponse(200, { "@odata.context": `${ctx.root()}/$metadata#${set}`, value });
}
