import type { BatchItem } from "../batch/multipart-parser.ts";
import { codeError, queryError } from "./wire.ts";

/**
 * Size limits on what a client sends, checked before the request reaches the query parser, the
 * JSON validator or SQLite — so a client mistake (a 40,000-value `in`, a body nested 100,000
 * arrays deep, a `$batch` inside a `$batch`) gets a 400 with a plain message instead of an engine
 * error, a stack overflow or a thread held for seconds. Each check is one linear scan.
 *
 * Dataverse's where documented: a URL up to 32 KB, one inside `$batch` up to 64 KB ("a longer URL,
 * up to 64 KB (65,536 characters), is allowed"), a batch of at most 1,000 requests that "can't
 * contain other batch requests". The others are the emulator's own (Dataverse documents none):
 * they keep SQLite under its expression-depth (1,000) and variable (32,766) limits with room left.
 */
export const REQUEST_LIMITS = {
  /** Characters of path and query in a request line. */
  urlChars: 32_768,
  /** The same for a request inside `$batch`. */
  batchUrlChars: 65_536,
  /** `and` / `or` / `not` in one `$filter` (SQLite nests a chain of n of them n deep). */
  filterOperators: 500,
  /** Values in one `$filter`'s `in (…)` lists and function arguments, together. */
  filterValues: 2_000,
  /** Sort keys in `$orderby`. */
  orderByKeys: 100,
  /** Arrays and objects nested in a JSON body (Microsoft.OData's default reader quota is 100). */
  jsonDepth: 100,
} as const;

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
 * Counts what a `$filter` asks the engine to do without parsing it: logical operators (words
 * outside string literals) and values (commas outside string literals).
 */
function filterSize(text: string): { operators: number; values: number } {
  let operators = 0;
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
    if (ch === 44 /* , */) values++;
    else if (isWordStart(text, i)) {
      const end = wordEnd(text, i);
      const word = text.slice(i, end);
      if (word === "and" || word === "or" || word === "not") operators++;
      i = end;
      continue;
    }
    i++;
  }
  return { operators, values };
}

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

function isWordStart(text: string, i: number): boolean {
  return isWordChar(text.charCodeAt(i)) && (i === 0 || !isWordChar(text.charCodeAt(i - 1)));
}

function wordEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
  return j;
}

/** The query options of one request (top level or inside `$batch`), before any parsing. */
export function checkQueryLimits(query: URLSearchParams): void {
  for (const [name, value] of query) {
    if (name === "$filter") {
      const { operators, values } = filterSize(value);
      if (operators > REQUEST_LIMITS.filterOperators) {
        throw queryError(
          `The $filter has ${operators} 'and' / 'or' / 'not' operators; at most ${REQUEST_LIMITS.filterOperators} are accepted. Use 'in (…)' for a list of values, or split the query.`,
        );
      }
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
