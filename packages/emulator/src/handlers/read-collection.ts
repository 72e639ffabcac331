import type { EntityMetadata } from "@xrm-offline/metadata";
import { readAggregate } from "../apply/read-aggregate.ts";
import { decodeDeltaToken, encodeDeltaToken } from "../change-tracking/delta-token.ts";
import type { ServerContext } from "../context.ts";
import { readFetchXml } from "../fetchxml/read-fetch-xml.ts";
import { type Preferences, parsePrefer } from "../http/prefer.ts";
import { jsonResponse, queryError, type WireRequest, type WireResponse } from "../http/wire.ts";
import { filterToSql, type SqlFragment } from "../odata/filter-sql.ts";
import { parseQueryOptions, type QueryOptions } from "../odata/query-options.ts";
import { countAnnotations } from "../read/count-annotations.ts";
import { orderBySql } from "../read/order-by.ts";
import { decodePageToken, encodePageToken } from "../read/page-token.ts";
import { checkExpand, checkSelect, contextSelect, serializeRecord } from "../read/serialize-record.ts";

const MAX_PAGE = 5000;

function preferenceApplied(prefs: Preferences, pageSize: number | undefined): Record<string, string> {
  const applied: string[] = [];
  if (pageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
  if (prefs.trackChanges) applied.push("odata.track-changes");
  if (prefs.includeAnnotations.length > 0)
    applied.push(`odata.include-annotations="${prefs.includeAnnotations.join(",")}"`);
  return applied.length > 0 ? { "Preference-Applied": applied.join(",") } : {};
}

/**
 * Where a collection read starts: a whole entity set, or the rows a collection-valued navigation
 * property of one row reaches (`accounts(<id>)/contact_customer_accounts`).
 */
export interface CollectionScope {
  /** Extra WHERE clause over the target table's rows. */
  readonly where: SqlFragment;
  /** Path of the resource relative to the service root, for next links. */
  readonly path: string;
}

/** The request's query string with `$skiptoken`/`$deltatoken` replaced. */
function linkWith(
  ctx: ServerContext,
  path: string,
  query: URLSearchParams,
  name: string,
  value: string,
): string {
  const parts: string[] = [];
  for (const [k, v] of query) {
    if (k === "$skiptoken" || k === "$deltatoken") continue;
    parts.push(`${k.startsWith("$") ? k : encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  parts.push(`${name}=${encodeURIComponent(value)}`);
  return `${ctx.root()}/${path}?${parts.join("&")}`;
}

/** `GET /<set>`: $select, $filter, $orderby, $top, $expand, $count, paging and change tracking. */
export function readCollection(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  scope?: CollectionScope,
): WireResponse {
  if (req.query.has("fetchXml") && !scope) return readFetchXml(ctx, req, entity, set);
  const prefs = parsePrefer(req.headers.get("prefer"));
  const opts = parseQueryOptions(req.query);
  checkSelect(entity, opts.select);
  checkExpand(ctx, entity, opts.expand);
  if (opts.apply !== undefined) return readAggregate(ctx, req, entity, set, opts, scope?.where);
  if (opts.deltaToken !== undefined) {
    if (scope) throw queryError("Change tracking applies to entity sets only.");
    return readDelta(ctx, req, entity, set, opts, prefs);
  }
  if (scope && prefs.trackChanges) throw queryError("Change tracking applies to entity sets only.");
  if (prefs.trackChanges && (opts.filter || opts.orderBy || opts.expand || opts.top !== undefined)) {
    throw queryError("Change tracking queries do not support $filter, $orderby, $expand or $top.");
  }
  const filter: SqlFragment = opts.filter
    ? filterToSql(opts.filter, entity, ctx.schema)
    : { sql: "1", params: [] };
  const order = orderBySql(entity, opts.orderBy);
  const keyset = !opts.orderBy || opts.orderBy.length === 0;
  const token = opts.skipToken !== undefined ? decodePageToken(opts.skipToken) : {};
  const snapshot = prefs.trackChanges ? (token.s ?? ctx.store.currentVersion) : undefined;

  // $top is ignored when odata.maxpagesize is present; without either, pages of 5000.
  const pageSize = prefs.maxPageSize ?? (opts.top !== undefined ? Math.min(opts.top, MAX_PAGE) : MAX_PAGE);
  const paging = prefs.maxPageSize !== undefined || opts.top === undefined;

  const clauses = [filter.sql];
  const params = [...filter.params];
  if (scope) {
    clauses.push(scope.where.sql);
    params.push(...scope.where.params);
  }
  if (snapshot !== undefined) {
    clauses.push("version <= ?");
    params.push(snapshot);
  }
  const countWhere = { sql: clauses.join(" AND "), params: [...params] };
  if (keyset && token.k !== undefined) {
    clauses.push("id > ?");
    params.push(token.k);
  }
  const where = { sql: clauses.join(" AND "), params };
  const offset = keyset ? 0 : (token.o ?? 0);
  const rows = ctx.store.query(entity.logicalName, where, order, pageSize + 1, offset);
  const more = paging && rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  const shape = {
    ...(opts.select ? { select: opts.select } : {}),
    ...(opts.expand ? { expand: opts.expand } : {}),
  };

  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.root()}/$metadata#${set}${contextSelect(shape)}`,
  };
  if (opts.count)
    Object.assign(body, countAnnotations(ctx.store.queryCount(entity.logicalName, countWhere), prefs));
  body.value = page.map((r) => serializeRecord(ctx, entity, r, shape, prefs));
  if (more) {
    const last = page[page.length - 1]!;
    const next = keyset
      ? { k: last.id, ...(snapshot !== undefined ? { s: snapshot } : {}) }
      : { o: offset + pageSize, ...(snapshot !== undefined ? { s: snapshot } : {}) };
    body["@odata.nextLink"] = linkWith(
      ctx,
      scope?.path ?? set,
      req.query,
      "$skiptoken",
      encodePageToken(next),
    );
  } else if (snapshot !== undefined) {
    ctx.store.persistVersion();
    body["@odata.deltaLink"] = linkWith(ctx, set, req.query, "$deltatoken", encodeDeltaToken(snapshot));
  }
  return jsonResponse(200, body, preferenceApplied(prefs, prefs.maxPageSize));
}

/** Following a delta link: rows changed since the token, then `$deletedEntity` entries. */
function readDelta(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  opts: QueryOptions,
  prefs: Preferences,
): WireResponse {
  if (opts.filter || opts.orderBy || opts.expand || opts.top !== undefined) {
    throw queryError("Change tracking queries do not support $filter, $orderby, $expand or $top.");
  }
  const since = decodeDeltaToken(ctx, opts.deltaToken!);
  const upTo = ctx.store.currentVersion;
  const shape = opts.select ? { select: opts.select } : {};
  const changed = ctx.store.changedBetween(entity.logicalName, since, upTo);
  const deleted = ctx.store.deletedBetween(entity.logicalName, since, upTo);
  const value: unknown[] = changed.map((r) => serializeRecord(ctx, entity, r, shape, prefs));
  for (const d of deleted) {
    value.push({
      "@odata.context": `${ctx.root()}/$metadata#${set}/$deletedEntity`,
      id: d.id,
      reason: "deleted",
    });
  }
  ctx.store.persistVersion();
  return jsonResponse(
    200,
    {
      "@odata.context": `${ctx.root()}/$metadata#${set}${contextSelect(shape)}/$delta`,
      value,
      "@odata.deltaLink": linkWith(ctx, set, req.query, "$deltatoken", encodeDeltaToken(upTo)),
    },
    preferenceApplied({ ...prefs, trackChanges: true }, undefined),
  );
}
