/**
 * Splitting and decoding of an Xrm options string (`?$select=a,b&$filter=…`, `?fetchXml=<fetch…>`).
 * Xrm callers send OData options percent-encoded or not, and FetchXML unencoded (so it may
 * contain `&amp;`), so splitting is done on the raw text and each value decoded afterwards.
 */

export interface RawOption {
  /** Name as written (`$select`, `fetchXml`). */
  readonly name: string;
  /** Decoded value. */
  readonly value: string;
}

const decoder = new TextDecoder("utf-8");

function isHex(c: string | undefined): boolean {
  return c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
}

/**
 * Percent-decode leniently: runs of valid `%XX` become UTF-8 text; a `%` that starts no valid
 * escape stays as it is, so an unencoded `contains(name,'50%')` still means 50%.
 */
export function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === "%" && isHex(text[i + 1]) && isHex(text[i + 2])) {
      const bytes: number[] = [];
      while (text[i] === "%" && isHex(text[i + 1]) && isHex(text[i + 2])) {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 3;
      }
      out += decoder.decode(new Uint8Array(bytes));
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/** End of a raw value starting at `start`: the next `&` outside a '…' literal. */
function valueEnd(text: string, start: number): number {
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "'") inString = !inString;
    else if (c === "&" && !inString) return i;
  }
  return text.length;
}

/** The options string as name/value pairs, in order. Empty pieces (`&&`) are skipped. */
export function splitOptions(options: string): RawOption[] {
  const text = options.startsWith("?") ? options.slice(1) : options;
  const out: RawOption[] = [];
  // Next '=' / '&' at or after i, cached so that many short pieces stay linear, not quadratic.
  let eq = -2;
  let amp = -2;
  let i = 0;
  while (i < text.length) {
    if (text[i] === "&") {
      i++;
      continue;
    }
    if (eq !== -1 && eq < i) eq = text.indexOf("=", i);
    if (amp !== -1 && amp < i) amp = text.indexOf("&", i);
    if (eq < 0 || (amp >= 0 && amp < eq)) {
      // A name without a value.
      const end = amp < 0 ? text.length : amp;
      out.push({ name: percentDecode(text.slice(i, end)), value: "" });
      i = end;
      continue;
    }
    const name = percentDecode(text.slice(i, eq));
    const start = eq + 1;
    let end: number;
    let value: string;
    if (name.toLowerCase() === "fetchxml" && text[start] === "<") {
      // Unencoded FetchXML (as the docs ask): it may hold `&amp;`, so it runs to its closing tag.
      const close = text.lastIndexOf("</fetch>");
      end = close >= start ? close + "</fetch>".length : text.length;
      value = text.slice(start, end);
    } else {
      end = valueEnd(text, start);
      value = percentDecode(text.slice(start, end));
    }
    out.push({ name, value });
    i = end;
  }
  return out;
}

/** Re-encode one option for a nextLink, keeping OData punctuation readable. */
export function encodeOption(name: string, value: string): string {
  const v = encodeURIComponent(value).replace(/%(24|2C|2F|3A|3B|3D|40)/g, (_, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
  return `${name}=${v}`;
}
