import { queryError } from "../http/wire.ts";
import { type FilterNode, parseFilter } from "./filter-parser.ts";
import { resolveParameterAliases } from "./parameter-aliases.ts";

export interface OrderBy {
  readonly property: string;
  readonly descending: boolean;
}

export interface ExpandItem {
  readonly navigation: string;
  readonly select?: readonly string[];
  readonly filter?: FilterNode;
  readonly orderBy?: readonly OrderBy[];
  readonly top?: number;
  /** Nested `$expand` (multi-level expand). */
  readonly expand?: readonly ExpandItem[];
}

/** How deep `$expand` may nest (a guard against pathological URLs, not a documented limit). */
const MAX_EXPAND_DEPTH = 10;

/** The system query options of one request, parsed but not yet checked against metadata. */
export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: FilterNode;
  readonly orderBy?: readonly OrderBy[];
  readonly top?: number;
  readonly expand?: readonly ExpandItem[];
  readonly count: boolean;
  readonly skipToken?: string;
  readonly deltaToken?: string;
  /** `$apply` text (parsed by apply/apply-parser.ts). */
  readonly apply?: string;
}

const KNOWN = new Set([
  "$select",
  "$filter",
  "$orderby",
  "$top",
  "$expand",
  "$count",
  "$skiptoken",
  "$deltatoken",
  "$format",
  "$apply",
]);

/** Split on `sep` at parenthesis depth 0 and outside quotes (empty parts dropped). */
export function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === "(") depth++;
    else if (!quoted && ch === ")") depth--;
    if (ch === sep && depth === 0 && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function parseSelect(text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.some((n) => n.length === 0)) throw queryError(`Syntax error in '$select=${text}'.`);
  return names;
}

function parseOrderBy(text: string): OrderBy[] {
  return splitTop(text, ",").map((part) => {
    const [property, dir, extra] = part.split(/\s+/);
    if (!property || extra !== undefined || (dir !== undefined && dir !== "asc" && dir !== "desc")) {
      throw queryError(`Syntax error in '$orderby=${text}'.`);
    }
    return { property, descending: dir === "desc" };
  });
}

function parseTop(text: string): number {
  if (!/^\d+$/.test(text))
    throw queryError(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  return Number(text);
}

function parseExpand(text: string, depth = 1): ExpandItem[] {
  if (depth > MAX_EXPAND_DEPTH)
    throw queryError(`$expand is nested more than ${MAX_EXPAND_DEPTH} levels deep.`);
  return splitTop(text, ",").map((item) => {
    const open = item.indexOf("(");
    if (open < 0) return { navigation: item };
    if (!item.endsWith(")")) throw queryError(`Syntax error in '$expand=${text}'.`);
    const navigation = item.slice(0, open).trim();
    let result: ExpandItem = { navigation };
    for (const opt of splitTop(item.slice(open + 1, -1), ";")) {
      const eq = opt.indexOf("=");
      const name = eq < 0 ? opt : opt.slice(0, eq);
      const value = eq < 0 ? "" : opt.slice(eq + 1);
      if (name === "$select") result = { ...result, select: parseSelect(value) };
      else if (name === "$filter") result = { ...result, filter: parseFilter(value) };
      else if (name === "$orderby") result = { ...result, orderBy: parseOrderBy(value) };
      else if (name === "$top") result = { ...result, top: parseTop(value) };
      else if (name === "$expand") result = { ...result, expand: parseExpand(value, depth + 1) };
      else throw queryError(`The query option '${name}' is not supported inside $expand.`);
    }
    return result;
  });
}

export function parseQueryOptions(query: URLSearchParams): QueryOptions {
  for (const key of query.keys()) {
    if (key.startsWith("$") && !KNOWN.has(key)) {
      throw queryError(`The query parameter '${key}' is not supported.`);
    }
  }
  // Not implemented here (docs/emulator.md): refuse rather than answer as if unfiltered.
  // fetchXml on an entity set is answered before options are read (fetchxml/read-fetch-xml.ts);
  // on a navigation collection, as savedQuery and userQuery anywhere, it is refused here.
  for (const key of ["fetchXml", "savedQuery", "userQuery"]) {
    if (query.has(key)) throw queryError(`The emulator does not implement '${key}' queries.`);
  }
  const one = (name: string): string | undefined => {
    const all = query.getAll(name);
    if (all.length > 1)
      throw queryError(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    return all[0];
  };
  const aliased = (name: string): string | undefined => {
    const text = one(name);
    return text === undefined ? undefined : resolveParameterAliases(text, query);
  };
  const select = one("$select");
  const filter = aliased("$filter");
  const orderBy = aliased("$orderby");
  const top = one("$top");
  const expand = aliased("$expand");
  const count = one("$count");
  const skipToken = one("$skiptoken");
  const deltaToken = one("$deltatoken");
  const apply = aliased("$apply");
  if (count !== undefined && count !== "true" && count !== "false") {
    throw queryError(`'${count}' is not a valid count option.`);
  }
  return {
    ...(select !== undefined ? { select: parseSelect(select) } : {}),
    ...(filter !== undefined ? { filter: parseFilter(filter) } : {}),
    ...(orderBy !== undefined ? { orderBy: parseOrderBy(orderBy) } : {}),
    ...(top !== undefined ? { top: parseTop(top) } : {}),
    ...(expand !== undefined ? { expand: parseExpand(expand) } : {}),
    count: count === "true",
    ...(skipToken !== undefined ? { skipToken } : {}),
    ...(deltaToken !== undefined ? { deltaToken } : {}),
    ...(apply !== undefined ? { apply } : {}),
  };
}
