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

/** The inner paging cookie: the page number and the first and last root ids of the page. */
function innerCookie(pk: string, page: number, first: string, last: string): string {
  return `<cookie page="${page}"><${pk} last="${braced(last)}" first="${braced(first)}" /></cookie>`;
}

/** The last root id recorded in a paging cookie (decoded or still URL-encoded), if any. */
function lastIdOf(cookie: string): string | undefined {
  let text = cookie;
  for (let i = 0; i < 3 && /%[0-9A-Fa-f]{2}/.test(text); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      break;
    }
  }
  const m = /last="\{?([0-9A-Fa-f-]{36})\}?"/.exec(text);
  return m?.[1]?.toLowerCase();
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
  // With a paging cookie, continue after the row it names (stable when rows were added before it).
  const last = query.pagingCookie !== undefined ? lastIdOf(query.pagingCookie) : undefined;
  if (last !== undefined) {
    const at = rows.findIndex((r) => r.tuple.get(ROOT)!.id === last);
    if (at >= 0) start = at + 1;
  }
  const pageRows = rows.slice(start, start + size);
  const more = rows.length > start + size;
  if (wantsAnnotation(prefs, COOKIE) && pageRows.length > 0) {
    const inner = innerCookie(
      entity.primaryIdAttribute,
      page,
      pageRows[0]!.tuple.get(ROOT)!.id,
      pageRows[pageRows.length - 1]!.tuple.get(ROOT)!.id,
    );
    body[`@${COOKIE}`] =
      `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
  }
  if (wantsAnnotation(prefs, MORE)) body[`@${MORE}`] = more;
  body.value = pageRows.map((r) => r.out);
  return jsonResponse(200, body);
}
