import { parseHeaderLines } from "./split-multipart.ts";

/** An HTTP response carried inside an `application/http` part. */
export interface HttpResponsePart {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, trimmed; "" when there is none. */
  readonly text: string;
}

const STATUS_LINE = /^HTTP\/\d+(?:\.\d+)?\s+(\d{3})(?:\s+(.*))?$/;

/** `HTTP/1.1 204 No Content` + headers + blank line + body → its parts; undefined if malformed. */
export function parseHttpResponse(content: string): HttpResponsePart | undefined {
  const lines = content.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && lines[i]?.trim() === "") i += 1;
  const status = STATUS_LINE.exec(lines[i]?.trim() ?? "");
  if (status === null) return undefined;
  i += 1;
  const headerLines: string[] = [];
  while (i < lines.length && lines[i]?.trim() !== "") {
    headerLines.push(lines[i] ?? "");
    i += 1;
  }
  const headers = parseHeaderLines(headerLines);
  if (headers === undefined) return undefined;
  return {
    status: Number(status[1]),
    statusText: status[2]?.trim() ?? "",
    headers,
    text: lines
      .slice(i + 1)
      .join("\n")
      .trim(),
  };
}
