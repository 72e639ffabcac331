import type { XrmError } from "@xrm-offline/odata";
import type { BatchItem } from "../batch/multipart-parser.ts";
import { codeError, fail, queryError } from "./wire.ts";

/**
 * Size limits on what a client sends, checked before the request reaches the query parser, the
 * JSON validator or SQLite — so a client mistake (a 40,000-value `in`, a body nested 100,000
 * arrays deep, a `$batch` inside a `$batch`) gets a 400 with a plain message instead of an engine
 * error, a stack overflow or a thread held for seconds. Each check is one linear scan.
 *
 * Dataverse's where documented: a URL up to 32 KB, one inside `$batch` up to 64 KB ("a longer URL,
 * up to 64 KB (65,536 characters), is allowed"), a batch of at most 1,000 requests that "can't
 * contain other batch requests", at most 500 conditions in one query (the "Filter rows" pages;
 * counted by the `$filter` parser and the FetchXML reader, answered with TooManyConditionsInQuery).
 * The others are the emulator's own: they keep SQLite under its variable limit (32,766) and the
 * parsers' recursion bounded. A chain of `and` / `or` is built as a balanced tree, so even a
 * chain at the condition limit stays a few levels deep for SQLite and every tree walk.
 */
export const REQUEST_LIMITS = {
  /** Characters of path and query in a request line. */
  urlChars: 32_768,
  /** The same for a request inside `$batch`. */
  batchUrlChars: 65_536,
  /** Conditions in one query: comparisons, functions, `in`, lambda operators (Dataverse). */
  conditions: 500,
  /** Values in one `$filter`'s `in (…)` lists and function arguments, together (commas). */
  filterValues: 10_000,
  /** Sort keys in `$orderby`. */
  orderByKeys: 100,
  /** Arrays and objects nested in a JSON body (Microsoft.OData's default reader quota is 100). */
  jsonDepth: 100,
} as const;

/** Dataverse's answer to a query with more conditions than `REQUEST_LIMITS.conditions`. */
export function tooManyConditions(): XrmError {
  return fail("TooManyConditionsInQuery");
}

/** 414 for a request line longer than the service accepts. */
export function checkUrlLength(url: string, limit: number): void {
  if (url.length > limit) {
    throw codeError(
      "0x0",
      414,
      `The request URL is ${url.length} characters long; at most ${limit} are accepted. Send long queries inside a $batch request (URLs up to ${REQUEST_LIMITS.batchUrlChars} characters) or use FetchXML.`,
    );
  }
}

/**
 * Counts the values in a `$filter`'s lists without parsing it: the items of `in (…)` lists and
 * function arguments are the commas and opening parentheses outside string literals (a grouping
 * parenthesis counts too: the count errs on the high side by a little).
 */
function filterListValues(text: string): number {
  let values = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 39 /* ' */) {
      // A string literal; '' is an escaped quote inside it.
      i++;
      while (i < text.length) {
        if (text.charCodeAt(i) === 39) {
          if (text.charCodeAt(i + 1) === 39) i += 2;
          else break;
        } else i++;
      }
      i++;
      continue;
    }
    if (ch === 44 /* , */ || ch === 40 /* ( */) values++;
    i++;
  }
  return values;
}

/** The query options of one request (top level or inside `$batch`), before any parsing. */
export function checkQueryLimits(query: URLSearchParams): void {
  for (const [name, value] of query) {
    if (name === "$filter") {
      const values = filterListValues(value);
      if (values > REQUEST_LIMITS.filterValues) {
        throw queryError(
          `The $filter has more than ${REQUEST_LIMITS.filterValues} values in its lists; split the query.`,
        );
      }
    } else if (name === "$orderby") {
      const keys = value.split(",").length;
      if (keys > REQUEST_LIMITS.orderByKeys) {
        throw queryError(
          `The $orderby has ${keys} sort keys; at most ${REQUEST_LIMITS.orderByKeys} are accepted.`,
        );
      }
    }
  }
}

/** Nesting depth of arrays and objects in a JSON text, strings skipped; stops at `limit + 1`. */
function jsonDepthOf(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
      continue;
    }
    if (ch === 34) inString = true;
    else if (ch === 91 /* [ */ || ch === 123 /* { */) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (ch === 93 /* ] */ || ch === 125 /* } */) depth--;
  }
  return max;
}

/** Refuses a JSON body nested deeper than the limit, before JSON.parse and the validators recurse into it. */
export function checkJsonDepth(body: string): void {
  if (jsonDepthOf(body, REQUEST_LIMITS.jsonDepth) > REQUEST_LIMITS.jsonDepth) {
    throw queryError(
      `The JSON payload is nested more than ${REQUEST_LIMITS.jsonDepth} levels deep (arrays and objects).`,
    );
  }
}

// Control characters (CR and LF among them) have no place in a header value; echoing one into
// the batch answer would let a client write headers of its own into it.
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

function checkOperation(op: {
  readonly url: string;
  readonly contentId?: string;
  readonly headers: ReadonlyMap<string, string>;
}): void {
  if (op.url.length > REQUEST_LIMITS.batchUrlChars) {
    throw queryError(
      `A batch request URL is ${op.url.length} characters long; at most ${REQUEST_LIMITS.batchUrlChars} are accepted.`,
    );
  }
  const path = op.url.split("?")[0]!;
  if (/(^|\/)\$batch$/.test(path)) {
    throw queryError("A $batch request can't contain another $batch request.");
  }
  if (op.contentId !== undefined && hasControlCharacter(op.contentId)) {
    throw queryError("A batch part's Content-ID contains a control character.");
  }
  for (const [name, value] of op.headers) {
    if (hasControlCharacter(value))
      throw queryError(`The batch part header '${name}' contains a control character.`);
  }
}

/** Every request of a parsed `$batch`, before any of them runs. */
export function checkBatchItems(items: readonly BatchItem[]): void {
  for (const item of items) {
    if (item.kind === "operation") checkOperation(item.operation);
    else for (const op of item.operations) checkOperation(op);
  }
}
