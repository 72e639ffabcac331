import { queryError } from "../http/wire.ts";

const ALIAS = /^@[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Replace parameter aliases (`$filter=name eq @p1&@p1='x'`, `$orderby=@p4 asc&@p4=jobtitle`,
 * `LastXHours(PropertyName=@p1,PropertyValue=@p2)`) with the text of their values, outside string
 * literals. An alias with no value in the query string is a 400, as on Dataverse.
 */
export function resolveParameterAliases(text: string, query: URLSearchParams): string {
  if (!text.includes("@")) return text;
  let out = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      quoted = !quoted;
      out += ch;
      i++;
      continue;
    }
    const m = quoted || ch !== "@" ? null : ALIAS.exec(text.slice(i));
    if (!m) {
      out += ch;
      i++;
      continue;
    }
    const value = query.get(m[0]);
    if (value === null) throw queryError(`The parameter alias '${m[0]}' has no value in the query string.`);
    // A value that itself names another alias is not resolved again (no recursion, no loops).
    out += value;
    i += m[0].length;
  }
  return out;
}
