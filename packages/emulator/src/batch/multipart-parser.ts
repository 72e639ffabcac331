import { queryError } from "../http/wire.ts";

/** One request inside a `$batch`, as written in its `application/http` part. */
export interface BatchOperation {
  readonly contentId?: string;
  readonly method: string;
  /** As written: absolute, server-relative, relative to the service root, or `$n…`. */
  readonly url: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

export type BatchItem =
  | { readonly kind: "operation"; readonly operation: BatchOperation }
  | { readonly kind: "changeset"; readonly operations: readonly BatchOperation[] };

/** `multipart/mixed; boundary="batch_x"` → `batch_x` (quoted or not). */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/mixed\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

interface MimePart {
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** Header lines up to the first empty line; the rest is the body. Accepts CRLF or LF. */
function splitHeaders(lines: readonly string[]): { headers: Map<string, string>; rest: string[] } {
  const headers = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      break;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw queryError(`The batch part header line '${line}' is not valid.`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, rest: lines.slice(i) };
}

/** Split a multipart body on `--boundary` lines; the epilogue after `--boundary--` is ignored. */
function splitParts(body: string, boundary: string): MimePart[] {
  const lines = body.split(/\r?\n/);
  const delimiter = `--${boundary}`;
  const close = `--${boundary}--`;
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line === close) {
      if (current) parts.push(toPart(current));
      current = undefined;
      closed = true;
      break;
    }
    if (line === delimiter) {
      if (current) parts.push(toPart(current));
      current = [];
      continue;
    }
    current?.push(raw);
  }
  if (!closed) throw queryError(`The batch body has no closing '--${boundary}--' delimiter.`);
  return parts;
}

function toPart(lines: string[]): MimePart {
  const { headers, rest } = splitHeaders(lines);
  return { headers, body: rest.join("\n") };
}

function parseOperation(part: MimePart): BatchOperation {
  const type = part.headers.get("content-type") ?? "";
  if (!/^application\/http/i.test(type)) {
    throw queryError(`A batch part must have 'Content-Type: application/http'; found '${type}'.`);
  }
  const lines = part.body.split("\n");
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  const requestLine = (lines.shift() ?? "").trim();
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine);
  if (!m) throw queryError(`The batch request line '${requestLine}' is not valid.`);
  const { headers, rest } = splitHeaders(lines);
  const contentId = part.headers.get("content-id") ?? headers.get("content-id");
  return {
    ...(contentId !== undefined ? { contentId } : {}),
    method: m[1]!,
    url: m[2]!,
    headers,
    body: rest.join("\n").trim(),
  };
}

/**
 * Parse an OData 4.0 `multipart/mixed` batch body: top-level requests and change sets (one level
 * deep), CRLF or LF line ends, quoted or unquoted boundaries.
 */
export function parseBatch(contentType: string | undefined, body: string): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) {
    throw queryError("The content type of a $batch request must be 'multipart/mixed' with a boundary.");
  }
  return splitParts(body, boundary).map((part): BatchItem => {
    const inner = boundaryOf(part.headers.get("content-type"));
    if (!inner) return { kind: "operation", operation: parseOperation(part) };
    const operations = splitParts(part.body, inner).map((p) => {
      if (boundaryOf(p.headers.get("content-type"))) throw queryError("Change sets cannot be nested.");
      return parseOperation(p);
    });
    return { kind: "changeset", operations };
  });
}
