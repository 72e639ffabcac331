import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { formattedValue } from "../format/formatted-value.ts";
import { parsePrefer, wantsAnnotation } from "../http/prefer.ts";
import { codeError, jsonResponse, type WireRequest, type WireResponse } from "../http/wire.ts";
import { serializeRecord } from "../read/serialize-record.ts";
import {
  type BoundTable,
  bindTables,
  columnOf,
  columnValue,
  compareValues,
  evaluateFetch,
  type FetchTuple,
  ROOT,
} from "./evaluate-fetch.ts";
import { aggregateTuples } from "./fetch-aggregate.ts";
import { parseFetchXml } from "./parse-fetch-xml.ts";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const COOKIE = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie";
const MORE = "Microsoft.Dynamics.CRM.morerecords";
const TOTAL = "Microsoft.Dynamics.CRM.totalrecordcount";
const TOTAL_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded";
const DEFAULT_PAGE = 5000;

/** `{…}` around an upper-case GUID, as paging cookies carry ids. */
function braced(id: string): string {
  return `{${id.toUpperCase()}}`;
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const xmlUnescape = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, ">")
    .replace(/&lt;/g, "<")
    .replace(/&amp;/g, "&");

/** A cookie value as the text Dataverse writes: ids braced and upper-case, the rest as text. */
function cookieValue(value: unknown, isId: boolean): string {
  if (isId) return braced(String(value));
  return xmlEscape(value === null || value === undefined ? "" : String(value));
}

/**
 * The inner paging cookie, as Dataverse writes it: the page number, then for each order column of
 * the root and for the primary key the values of the page's last and first rows.
 */
function innerCookie(root: BoundTable, page: number, first: FetchTuple, last: FetchTuple): string {
  const pk = root.entity.primaryIdAttribute;
  const columns = [
    ...root.node.orders.flatMap((o) => (o.attribute && o.attribute !== pk ? [o.attribute] : [])),
    pk,
  ];
  const parts = columns.map((name) => {
    const value = (t: FetchTuple) => cookieValue(columnValue(root.entity, t.get(ROOT)!, name), name === pk);
    return `<${name} last="${value(last)}" first="${value(first)}" />`;
  });
  return `<cookie page="${page}">${parts.join("")}</cookie>`;
}

/** The `last` values a paging cookie (decoded or still URL-encoded) records, by column. */
function lastValuesOf(cookie: string): Map<string, string> {
  let text = cookie;
  for (let i = 0; i < 3 && /%[0-9A-Fa-f]{2}/.test(text); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      break;
    }
  }
  const values = new Map<string, string>();
  for (const m of text.matchAll(/<([A-Za-z0-9_]+)\s+last="([^"]*)"/g)) values.set(m[1]!, xmlUnescape(m[2]!));
  return values;
}

/**
 * Where the page after a paging cookie starts: after the row the cookie names; when that row is
 * gone (deleted between pages), after where it stood — the first row that sorts after the
 * cookie's order values and id, so no row is skipped or repeated. `undefined`: the cookie says
 * nothing usable (page and count decide).
 */
function startAfterCookie(
  root: BoundTable,
  tables: ReadonlyMap<string, BoundTable>,
  rows: readonly { tuple: FetchTuple }[],
  cookie: string,
): number | undefined {
  const values = lastValuesOf(cookie);
  const pk = root.entity.primaryIdAttribute;
  const lastId = /^\{?([0-9A-Fa-f-]{36})\}?$/.exec(values.get(pk) ?? "")?.[1]?.toLowerCase();
  if (lastId === undefined) return undefined;
  const at = rows.findIndex((r) => r.tuple.get(ROOT)!.id === lastId);
  if (at >= 0) return at + 1;
  const linkOrders = [...tables.values()].some((t) => t.alias !== ROOT && t.node.orders.length > 0);
  const orders = root.node.orders.filter((o) => o.attribute !== undefined && o.attribute !== pk);
  if (linkOrders || orders.some((o) => !values.has(o.attribute!))) return undefined;
  const after = (t: FetchTuple): boolean => {
    const row = t.get(ROOT)!;
    for (const o of orders) {
      const column = columnOf(root.entity, o.attribute!);
      const raw = values.get(o.attribute!)!;
      const cookieSide =
        raw === ""
          ? null
          : column.type === "Edm.String"
            ? raw
            : /^-?\d+(\.\d+)?$/.test(raw)
              ? Number(raw)
              : raw;
      const c = compareValues(columnValue(root.entity, row, o.attribute!), cookieSide);
      if (c !== 0) return o.descending ? c < 0 : c > 0;
    }
    return row.id > lastId;
  };
  const next = rows.findIndex((r) => after(r.tuple));
  return next < 0 ? rows.length : next;
}

/** Selected columns of the root row, null ones left out (FetchXML results omit nulls). */
function rootPart(
  ctx: ServerContext,
  root: BoundTable,
  tuple: FetchTuple,
  prefs: ReturnType<typeof parsePrefer>,
): Record<string, unknown> {
  const row = tuple.get(ROOT)!;
  const select = root.node.allAttributes
    ? undefined
    : root.node.attributes.map((a) => columnOf(root.entity, a.name).webApiName);
  const full = serializeRecord(ctx, root.entity, row, select ? { select } : {}, prefs);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) {
    if (v === null && !k.includes("@")) continue;
    out[k] = v;
  }
  return out;
}

/** Columns of linked rows as `alias.column`. */
function linkParts(
  ctx: ServerContext,
  tables: ReadonlyMap<string, BoundTable>,
  tuple: FetchTuple,
  wantFormatted: boolean,
  out: Record<string, unknown>,
): void {
  for (const table of tables.values()) {
    if (table.alias === ROOT) continue;
    const row = tuple.get(table.alias) ?? null;
    if (!row) continue;
    const names = table.node.allAttributes
      ? [...table.entity.attributes()].map((a) => a.name)
      : table.node.attributes.map((a) => a.name);
    for (const name of names) {
      const value = columnValue(table.entity, row, name);
      if (value === null) continue;
      const key = `${table.alias}.${table.node.attributes.find((a) => a.name === name)?.alias ?? name}`;
      if (wantFormatted) {
        const label = formattedValue(
          ctx,
          table.entity,
          columnOf(table.entity, name).webApiName,
          value,
          row.data,
        );
        if (label !== undefined) out[`${key}@${FORMATTED}`] = label;
      }
      out[key] = value;
    }
  }
}

/**
 * `GET /<set>?fetchXml=…`: evaluated here, independently of the client's FetchXML evaluator in
 * packages/odata (so a bug in one cannot hide one in the other). Paging by `count`/`page` and the
 * paging cookie; `top`; `distinct`; `aggregate`; `returntotalrecordcount`.
 */
export function readFetchXml(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
): WireResponse {
  for (const key of req.query.keys()) {
    if (key.startsWith("$"))
      throw codeError("0x80040203", 400, `The query option '${key}' cannot be combined with fetchXml.`);
  }
  const query = parseFetchXml(req.query.get("fetchXml") ?? "");
  if (query.entity.name !== entity.logicalName) {
    if (!ctx.schema.metadata.entity(query.entity.name))
      throw codeError(
        "0x80041102",
        400,
        `The entity with a name = '${query.entity.name}' was not found in the MetadataCache.`,
      );
    throw codeError(
      "0x80040203",
      400,
      `The fetchXml entity '${query.entity.name}' does not match the entity set '${set}' (${entity.logicalName}).`,
    );
  }
  const prefs = parsePrefer(req.headers.get("prefer"));
  const tables = bindTables(ctx, entity, query.entity);
  const tuples = evaluateFetch(ctx, tables, new Date());
  const context = `${ctx.root()}/$metadata#${set}`;
  if (query.aggregate)
    return jsonResponse(200, { "@odata.context": context, value: aggregateTuples(tables, tuples) });

  const wantFormatted = wantsAnnotation(prefs, FORMATTED);
  const root = tables.get(ROOT)!;
  let rows = tuples.map((t) => {
    const out = rootPart(ctx, root, t, prefs);
    linkParts(ctx, tables, t, wantFormatted, out);
    return { tuple: t, out };
  });
  if (query.distinct) {
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const key = JSON.stringify(Object.entries(r.out).filter(([k]) => k !== "@odata.etag"));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  const body: Record<string, unknown> = { "@odata.context": context };
  if (query.returnTotalRecordCount) {
    body[`@${TOTAL}`] = Math.min(rows.length, 5000);
    body[`@${TOTAL_EXCEEDED}`] = rows.length > 5000;
  }
  if (query.top !== undefined) {
    body.value = rows.slice(0, query.top).map((r) => r.out);
    return jsonResponse(200, body);
  }
  const size = query.count ?? DEFAULT_PAGE;
  const page = query.page ?? 1;
  let start = (page - 1) * size;
  // With a paging cookie, continue after the row it names, or where it stood (stable when rows
  // were added or deleted before it).
  const cookieStart =
    query.pagingCookie !== undefined ? startAfterCookie(root, tables, rows, query.pagingCookie) : undefined;
  if (cookieStart !== undefined) start = cookieStart;
  const pageRows = rows.slice(start, start + size);
  const more = rows.length > start + size;
  if (wantsAnnotation(prefs, COOKIE) && pageRows.length > 0) {
    const inner = innerCookie(root, page, pageRows[0]!.tuple, pageRows[pageRows.length - 1]!.tuple);
    body[`@${COOKIE}`] =
      `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
  }
  if (wantsAnnotation(prefs, MORE)) body[`@${MORE}`] = more;
  body.value = pageRows.map((r) => r.out);
  return jsonResponse(200, body);
}
