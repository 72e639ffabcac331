import { syntaxError } from "./query-errors.ts";

/**
 * Tokenizer for OData `$filter` (and the `$orderby` / `$select` lists). Hand-written, one pass,
 * no backtracking: every sticky regex below is anchored and bounded, so the work is linear in
 * the input. A `+` outside a literal counts as whitespace, so form-encoded options
 * (`name+eq+'x'`) read the same as raw ones while `2024-01-01T10:00:00+02:00` stays a date.
 */

export type TokenKind =
  | "ident"
  | "string"
  | "number"
  | "guid"
  | "datetime"
  | "date"
  | "("
  | ")"
  | ","
  | "/"
  // Only used by Dataverse query functions (`Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['a'])`);
  // tokenized so the parser can say those aren't supported offline rather than "bad character".
  | "["
  | "]"
  | "="
  | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, literal text (strings unescaped), or the punctuation itself. */
  readonly text: string;
  /** 0-based offset in the filter text. */
  readonly pos: number;
}

/** Most tokens one filter may have (~32 KB of URL, like the server's URL limit). */
export const MAX_TOKENS = 8000;

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
const DATE_TIME =
  /(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?/y;
const NUMBER = /-?\d{1,40}(?:\.\d{1,40})?(?:[eE][+-]?\d{1,4})?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_.]{0,255}/y;

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

function match(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/** Calendar check for a date literal (`2024-02-30` is not a date). */
function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (tokens.length >= MAX_TOKENS) throw syntaxError(`more than ${MAX_TOKENS} tokens`, i, text);
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "+") {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === "/" || c === "[" || c === "]" || c === "=") {
      tokens.push({ kind: c, text: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      // '' inside a string literal is one quote.
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw syntaxError("unterminated string literal", i, text);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: "string", text: value, pos: i });
      i = j + 1;
      continue;
    }
    const guid = match(GUID, text, i);
    if (guid && !isIdentChar(text[i + 36]) && text[i + 36] !== "-") {
      tokens.push({ kind: "guid", text: guid[0].toLowerCase(), pos: i });
      i += 36;
      continue;
    }
    if (/\d/.test(c)) {
      const dt = match(DATE_TIME, text, i);
      if (dt) {
        const [all, y, mo, d, hh, mi, ss] = dt;
        const ok =
          validDate(Number(y), Number(mo), Number(d)) &&
          (hh === undefined || (Number(hh) < 24 && Number(mi) < 60 && (ss === undefined || Number(ss) < 60)));
        if (!ok || isIdentChar(text[i + all.length]))
          throw syntaxError(`invalid date literal '${all}'`, i, text);
        tokens.push({ kind: hh === undefined ? "date" : "datetime", text: all, pos: i });
        i += all.length;
        continue;
      }
    }
    if (/\d/.test(c) || (c === "-" && /\d/.test(text[i + 1] ?? ""))) {
      const num = match(NUMBER, text, i)!;
      if (isIdentChar(text[i + num[0].length])) {
        throw syntaxError(`invalid number literal '${text.slice(i, i + num[0].length + 1)}'`, i, text);
      }
      tokens.push({ kind: "number", text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const ident = match(IDENT, text, i);
    if (ident) {
      tokens.push({ kind: "ident", text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    throw syntaxError(`character '${c}' is not valid`, i, text);
  }
  tokens.push({ kind: "eof", text: "", pos: text.length });
  return tokens;
}
