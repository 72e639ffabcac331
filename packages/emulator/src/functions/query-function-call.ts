import { queryError } from "../http/wire.ts";

/**
 * A Dataverse query function in `$filter`:
 * `Microsoft.Dynamics.CRM.Between(PropertyName='numberofemployees',PropertyValues=["1","100"])`.
 * Parameter values are kept as text (quotes removed); arrays as lists of text.
 */
export interface QueryFunctionCall {
  readonly name: string;
  readonly params: ReadonlyMap<string, string | readonly string[]>;
}

const HEAD = /^Microsoft\.Dynamics\.CRM\.([A-Za-z][A-Za-z0-9]*)\(/;

/** Length of the call at the start of `text` (through its closing parenthesis), or 0 if none. */
export function queryFunctionCallLength(text: string): number {
  const head = HEAD.exec(text);
  if (!head) return 0;
  let quote: string | undefined;
  let depth = 0;
  for (let i = head[0].length - 1; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i + 1;
  }
  throw queryError(`The query function '${head[1]}' is not closed.`);
}

/** Split on commas outside quotes and brackets. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let depth = 0;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "[") depth++;
    else if (ch === "]") depth--;
    if (ch === "," && !quote && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function scalar(text: string, fn: string): string {
  const t = text.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) {
    if (t.length < 2) throw queryError(`Bad parameter value in '${fn}'.`);
    return t.slice(1, -1).replace(t[0] === "'" ? /''/g : /""/g, t[0]!);
  }
  if (!/^[A-Za-z0-9_.:+-]+$/.test(t)) throw queryError(`Bad parameter value '${t}' in '${fn}'.`);
  return t;
}

/** Parse one call (the exact text measured by queryFunctionCallLength). */
export function parseQueryFunctionCall(text: string): QueryFunctionCall {
  const head = HEAD.exec(text)!;
  const name = head[1]!;
  const params = new Map<string, string | string[]>();
  for (const arg of splitArgs(text.slice(head[0].length, -1))) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw queryError(`The query function '${name}' takes named parameters (Name=value).`);
    const key = arg.slice(0, eq).trim();
    const value = arg.slice(eq + 1).trim();
    if (params.has(key)) throw queryError(`The parameter '${key}' is given twice in '${name}'.`);
    if (value.startsWith("[")) {
      if (!value.endsWith("]")) throw queryError(`Bad list value for '${key}' in '${name}'.`);
      params.set(
        key,
        splitArgs(value.slice(1, -1)).map((v) => scalar(v, name)),
      );
    } else params.set(key, scalar(value, name));
  }
  return { name, params };
}
