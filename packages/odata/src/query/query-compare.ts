import type { Literal, ValueType } from "./query-plan.ts";

/**
 * How Dataverse compares values, for local evaluation:
 * - text compares case- and accent-insensitively (the default collation is Latin1_General_CI_AI),
 *   so `name eq 'CAFE'` finds "Café";
 * - GUIDs compare case-insensitively; numbers numerically (decimals arrive as JSON numbers or
 *   numeric strings); dates as instants (a zone-less date-time counts as UTC);
 * - null sorts first ascending and last descending, as in SQL Server.
 */

/** A value reduced to something `compareNormalized` can order; null for null or unreadable. */
export type Normalized = string | number | boolean | null;

const collator = new Intl.Collator("en", { sensitivity: "base" });
const MARKS = /\p{M}/gu;
const ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Lower case without diacritics: what contains / startswith / like match on. */
export function fold(text: string): string {
  return text.normalize("NFD").replace(MARKS, "").toLowerCase();
}

/**
 * Characters whose order under the collator a text key reproduces one code unit each: space,
 * ASCII punctuation, digits and a–z (upper case and accented Latin letters fold onto them). The
 * collator orders these by one primary weight per character, so strings made only of them compare
 * like their keys. Ranks come from the collator itself (the one the evaluator sorts with), so a
 * key never disagrees with it; `TEXT_KEY_VERSION` names the ranking, to re-key stored keys when a
 * runtime's collator ranks differently.
 */
const KEY_ALPHABET: readonly string[] = (() => {
  const chars = [" "];
  for (let c = 0x21; c < 0x7f; c++) {
    const ch = String.fromCharCode(c);
    if (ch < "A" || ch > "Z") chars.push(ch);
  }
  return chars.sort((a, b) => collator.compare(a, b));
})();
/** Key code unit of each alphabet character (by code unit below 0x80; 0: not in the alphabet). */
const KEY_UNIT: Uint16Array = (() => {
  const units = new Uint16Array(0x80);
  let rank = 0;
  KEY_ALPHABET.forEach((ch, i) => {
    // Characters the collator can't tell apart share a key.
    if (i > 0 && collator.compare(KEY_ALPHABET[i - 1]!, ch) !== 0) rank++;
    units[ch.charCodeAt(0)] = 0x21 + rank;
  });
  for (let c = 0x41; c <= 0x5a; c++) units[c] = units[c + 0x20]!;
  return units;
})();

/**
 * Latin accents (U+0300–U+036F) the collator ignores at its strength, as `fold` drops them; not
 * the medieval letter marks (U+0363–U+036F), which the collator weighs as letters.
 */
const IGNORED_MARK: Uint8Array = (() => {
  const marks = new Uint8Array(0x70);
  for (let c = 0; c < 0x70; c++) {
    const m = String.fromCharCode(0x300 + c);
    marks[c] = collator.compare(`a${m}b`, "ab") === 0 && collator.compare(`${m}b`, "b") === 0 ? 1 : 0;
  }
  return marks;
})();

/** Identity of the key ranking (the alphabet in collator order, ties marked, ignored marks). */
export const TEXT_KEY_VERSION: string =
  KEY_ALPHABET.map((ch) => String.fromCharCode(KEY_UNIT[ch.charCodeAt(0)]!)).join("") + IGNORED_MARK.join("");

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * A key of `text` whose code-unit order is the evaluator's text order (`compareNormalized`) and
 * whose prefixes are the keys of its folded prefixes (what `startswith` matches); undefined when
 * the collator orders the text by more than its characters one by one: letters outside a–z (ß,
 * æ, ø, other scripts), symbols beyond ASCII, marks other than the Latin accents it ignores.
 */
export function textKey(text: string): string | undefined {
  const [key, whole] = keyOfStart(text);
  return whole ? key : undefined;
}

/**
 * The key of the longest start of `text` that has one (`textKey` of it): the text sorts at or
 * after it and before every key above its prefix range, and its folded form starts with the
 * head's text (or the head is a prefix of it). Where text without a key of its own is filed.
 */
export function textKeyHead(text: string): string {
  return keyOfStart(text)[0];
}

function keyOfStart(text: string): [key: string, whole: boolean] {
  const s = ASCII_PRINTABLE.test(text) ? text : text.normalize("NFD");
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x300 && c <= 0x36f && IGNORED_MARK[c - 0x300] === 1) continue;
    const unit = c < 0x80 ? KEY_UNIT[c]! : 0;
    if (unit === 0) return [out, false];
    out += String.fromCharCode(unit);
  }
  return [out, true];
}

/** ISO date or date-time text → epoch ms (UTC when no zone is given); null when unreadable. */
export function instantOf(text: string): number | null {
  if (text.length > 40) return null;
  const iso = text.length > 10 && !ZONE.test(text) ? `${text}Z` : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

function guidOf(text: string): string {
  const t = text.startsWith("{") && text.endsWith("}") ? text.slice(1, -1) : text;
  return t.toLowerCase();
}

/** A row value of a column of `type`, ready to compare. */
export function normalize(type: ValueType, value: unknown): Normalized {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
    case "guid":
      return typeof value === "string" ? guidOf(value) : null;
    case "number": {
      if (typeof value === "number") return Number.isFinite(value) ? value : null;
      if (typeof value === "string" && value.trim() !== "") {
        const n = Number(value);
        return Number.isFinite(n) ? n : null;
      }
      return null;
    }
    case "boolean":
      return typeof value === "boolean" ? value : value === 1 ? true : value === 0 ? false : null;
    case "datetime":
    case "date":
      if (typeof value === "string") return instantOf(value);
      if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : null;
      return null;
  }
}

/** A query literal compared with a column of `type`. */
export function normalizeLiteral(type: ValueType, literal: Literal): Normalized {
  if (literal.type === "null") return null;
  return normalize(type, literal.value);
}

/** Order of two non-null normalized values of one type: <0, 0, >0. */
export function compareNormalized(
  type: ValueType,
  a: Exclude<Normalized, null>,
  b: Exclude<Normalized, null>,
): number {
  if (type === "string") return collator.compare(a as string, b as string);
  if (type === "guid") return a < b ? -1 : a > b ? 1 : 0;
  if (type === "boolean") return (a ? 1 : 0) - (b ? 1 : 0);
  return (a as number) - (b as number);
}

/** Sort order with nulls first (ascending), as SQL Server orders. */
export function compareForSort(type: ValueType, a: Normalized, b: Normalized): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareNormalized(type, a, b);
}

type LikeToken =
  | { readonly t: "any" }
  | { readonly t: "one" }
  | { readonly t: "char"; readonly c: string }
  | {
      readonly t: "set";
      readonly negate: boolean;
      readonly chars: string;
      readonly ranges: [string, string][];
    };

/** SQL LIKE pattern (`%`, `_`, `[abc]`, `[a-c]`, `[^a]`) → tokens, matched on folded text. */
export function compileLike(pattern: string): LikeToken[] {
  const p = [...fold(pattern)];
  const out: LikeToken[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "%") {
      if (out.at(-1)?.t !== "any") out.push({ t: "any" });
    } else if (c === "_") out.push({ t: "one" });
    else if (c === "[") {
      const close = p.indexOf("]", i + 2);
      if (close < 0) {
        out.push({ t: "char", c });
        continue;
      }
      let body = p.slice(i + 1, close);
      const negate = body[0] === "^" && body.length > 1;
      if (negate) body = body.slice(1);
      let chars = "";
      const ranges: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === "-" && body[k + 2] !== undefined) {
          ranges.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else chars += body[k];
      }
      out.push({ t: "set", negate, chars, ranges });
      i = close;
    } else out.push({ t: "char", c });
  }
  return out;
}

function tokenMatches(tok: LikeToken, c: string): boolean {
  switch (tok.t) {
    case "one":
      return true;
    case "char":
      return tok.c === c;
    case "set": {
      const hit = tok.chars.includes(c) || tok.ranges.some(([lo, hi]) => c >= lo && c <= hi);
      return hit !== tok.negate;
    }
    default:
      return false;
  }
}

/**
 * Wildcard match with backtracking only to the last `%`: O(text × pattern) at worst, never
 * exponential (unlike turning the pattern into a regex).
 */
export function likeMatch(text: string, tokens: readonly LikeToken[]): boolean {
  const s = [...fold(text)];
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const tok = tokens[pi];
    if (tok && tok.t !== "any" && tokenMatches(tok, s[si]!)) {
      si++;
      pi++;
    } else if (tok?.t === "any") {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else return false;
  }
  while (tokens[pi]?.t === "any") pi++;
  return pi === tokens.length;
}
