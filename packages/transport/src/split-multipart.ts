/** One MIME part: its headers (lower-case names) and its content, lines joined with "\n". */
export interface MimePart {
  readonly headers: Readonly<Record<string, string>>;
  readonly content: string;
}

export interface SplitMultipart {
  readonly parts: readonly MimePart[];
  /** False when the closing delimiter `--<boundary>--` never came: the body was cut short. */
  readonly complete: boolean;
}

/** `multipart/mixed; boundary="batchresponse_…"` → "batchresponse_…" (quoted or not). */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\//i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary === undefined || boundary.length > 200 ? undefined : boundary;
}

/**
 * Header block lines → lower-case-keyed object; repeated names are joined with ", ".
 * `Location:[url]` (no space, as in Dataverse's own samples) is accepted.
 */
export function parseHeaderLines(lines: readonly string[]): Record<string, string> | undefined {
  const entries = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) return undefined;
    const value = line.slice(colon + 1).trim();
    const previous = entries.get(name);
    entries.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return Object.fromEntries(entries);
}

/**
 * Splits a multipart body on `boundary`. Accepts CRLF or bare LF line endings (DynamicsWebApi
 * writes LF, the docs CRLF), transport padding after delimiters, a preamble and an epilogue.
 * Returns undefined when a part's header block is not made of `Name: value` lines (garbage).
 */
export function splitMultipart(text: string, boundary: string): SplitMultipart | undefined {
  const delimiter = `--${boundary}`;
  const close = `${delimiter}--`;
  const lines = text.split(/\r?\n/);
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  let complete = false;

  const finish = (partLines: string[]): boolean => {
    const blank = partLines.indexOf("");
    const headerLines = blank === -1 ? partLines : partLines.slice(0, blank);
    const headers = parseHeaderLines(headerLines);
    if (headers === undefined) return false;
    parts.push({ headers, content: blank === -1 ? "" : partLines.slice(blank + 1).join("\n") });
    return true;
  };

  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === close) {
      if (current !== undefined && !finish(current)) return undefined;
      if (trimmed === close) {
        complete = true;
        break;
      }
      current = [];
    } else if (current !== undefined) {
      current.push(line);
    }
  }
  // A part still open at the end was cut off: it is not reported.
  return { parts, complete };
}
