import type { WebApiRequest } from "@xrm-offline/odata";
import type { BatchLayoutPart, BatchPart, BatchRequest, EncodedBatch } from "./batch-types.ts";
import { assertSafeHeader } from "./request-headers.ts";
import { resolveUrl } from "./resolve-url.ts";
import { invalidRequest } from "./transport-error.ts";

/** Dataverse refuses batches of more than 1000 requests (reference §4.1). */
export const MAX_BATCH_REQUESTS = 1000;

const CRLF = "\r\n";
const METHODS = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);
const CONTENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
const REFERENCE = /^\$([^/?]*)(.*)$/;
/** Headers that belong to the MIME part or the outer request, never to an inner request. */
const NOT_COPIED = new Set([
  "authorization",
  "content-id",
  "content-length",
  "content-transfer-encoding",
  "host",
]);

export interface EncodeBatchOptions {
  /** Absolute service root (`https://org/api/data/v9.2/`); inner request lines use absolute URLs. */
  readonly serviceRoot: string;
  /** Source of boundary ids; default `crypto.randomUUID`. Injectable for deterministic tests. */
  readonly newId?: () => string;
}

/** JSON with every non-ASCII character as \uXXXX, so no charset question can arise inside a part. */
function asciiJson(value: unknown, where: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw invalidRequest(`${where}: the body cannot be serialised to JSON (${(error as Error).message}).`);
  }
  if (json === undefined) throw invalidRequest(`${where}: the body cannot be serialised to JSON.`);
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `$n` values of `…@odata.bind` (string or array of strings) and of `@odata.id`. */
function bodyReferences(body: Readonly<Record<string, unknown>> | undefined): string[] {
  if (body === undefined) return [];
  const refs: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!key.endsWith("@odata.bind") && key !== "@odata.id") continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === "string" && v.startsWith("$")) refs.push(v);
    }
  }
  return refs;
}

interface Encoder {
  readonly root: string;
  readonly declared: Set<string>;
}

/** One `application/http` MIME part (without the leading delimiter line). */
function encodeRequest(
  request: WebApiRequest,
  where: string,
  encoder: Encoder,
  changeSetIds: Set<string> | undefined,
  contentId: string | undefined,
): string {
  if (typeof request !== "object" || request === null)
    throw invalidRequest(`${where} is not a request object.`);
  if (!METHODS.has(request.method)) {
    throw invalidRequest(`${where}: unsupported method ${JSON.stringify(request.method)}.`);
  }
  if (changeSetIds !== undefined && request.method === "GET") {
    throw invalidRequest(`${where}: GET requests are not allowed inside a change set.`);
  }
  if (request.method === "GET" && request.body !== undefined) {
    throw invalidRequest(`${where}: a GET request cannot have a body.`);
  }

  let target: string;
  const ref = REFERENCE.exec(typeof request.url === "string" ? request.url : "");
  if (changeSetIds !== undefined && ref !== null) {
    // `$1`, `$1/lastname`, `$1/primarycontactid/$ref`: must name an earlier request of this change
    // set, or Dataverse rejects the whole batch (400 "Content-ID Reference … does not exist").
    if (!changeSetIds.has(ref[1] ?? "")) {
      throw invalidRequest(
        `${where}: URL ${JSON.stringify(request.url)} refers to no earlier request of its change set.`,
      );
    }
    if (/[\s]/.test(request.url)) throw invalidRequest(`${where}: the URL contains whitespace.`);
    target = request.url;
  } else {
    try {
      target = resolveUrl(encoder.root, request.url);
    } catch (error) {
      throw invalidRequest(`${where}: ${(error as Error).message}`);
    }
  }
  for (const value of bodyReferences(request.body)) {
    const id = value.slice(1);
    if (changeSetIds === undefined || !changeSetIds.has(id)) {
      throw invalidRequest(
        `${where}: ${JSON.stringify(value)} refers to no earlier request of its change set.`,
      );
    }
  }

  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `${request.method} ${target} HTTP/1.1`);
  let hasContentType = false;
  let hasAccept = false;
  const headers = request.headers ?? {};
  if (typeof headers !== "object" || headers === null)
    throw invalidRequest(`${where}: headers must be an object.`);
  for (const [name, value] of Object.entries(headers)) {
    try {
      assertSafeHeader(name, value);
    } catch (error) {
      throw invalidRequest(`${where}: ${(error as Error).message}`);
    }
    const lower = name.toLowerCase();
    if (NOT_COPIED.has(lower)) continue;
    if (lower === "content-type") hasContentType = true;
    if (lower === "accept") hasAccept = true;
    lines.push(`${name}: ${value}`);
  }
  const body = request.body === undefined ? undefined : asciiJson(request.body, where);
  if (body !== undefined && !hasContentType) lines.push("Content-Type: application/json; type=entry");
  if (request.method === "GET" && !hasAccept) lines.push("Accept: application/json");
  lines.push("");
  if (body !== undefined) lines.push(body);
  return lines.join(CRLF) + CRLF;
}

/**
 * The multipart/mixed body of a `$batch` POST, as Dataverse documents it (reference §4.1): CRLF
 * line endings, `batch_<uuid>` / `changeset_<uuid>` boundaries, `application/http` parts with
 * `Content-Transfer-Encoding: binary`, a `Content-ID` on every request (unique in the batch; OData
 * allows it outside change sets too, and the service echoes it on the answer),
 * absolute inner URLs (or `$n` references). Pure; validates everything it writes, so no value can
 * inject a header or a part. Throws an invalid-request TransportError.
 */
export function encodeBatch(parts: readonly BatchPart[], options: EncodeBatchOptions): EncodedBatch {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidRequest("A batch needs at least one part.");
  const newId = options.newId ?? (() => crypto.randomUUID());
  const encoder: Encoder = { root: options.serviceRoot, declared: new Set() };

  // Explicit Content-IDs first, so automatic ones (1, 2, …) can step around them.
  let requestCount = 0;
  for (const [i, part] of parts.entries()) {
    if (part?.kind === "changeset") {
      if (!Array.isArray(part.requests) || part.requests.length === 0) {
        throw invalidRequest(`Batch part ${i}: a change set needs at least one request.`);
      }
      requestCount += part.requests.length;
      for (const [j, request] of (part.requests as readonly BatchRequest[]).entries()) {
        if (typeof request !== "object" || request === null) {
          throw invalidRequest(`Batch part ${i}, request ${j} is not a request object.`);
        }
        if (request.contentId === undefined) continue;
        if (typeof request.contentId !== "string" || !CONTENT_ID.test(request.contentId)) {
          throw invalidRequest(`Batch part ${i}: invalid Content-ID ${JSON.stringify(request.contentId)}.`);
        }
        if (encoder.declared.has(request.contentId)) {
          throw invalidRequest(`Batch part ${i}: Content-ID ${request.contentId} is used twice.`);
        }
        encoder.declared.add(request.contentId);
      }
    } else if (part?.kind === "request") {
      requestCount += 1;
    } else {
      throw invalidRequest(`Batch part ${i} is neither a change set nor a request.`);
    }
  }
  if (requestCount > MAX_BATCH_REQUESTS) {
    throw invalidRequest(
      `A batch can hold at most ${MAX_BATCH_REQUESTS} requests; this one has ${requestCount}.`,
    );
  }

  const boundary = `batch_${newId()}`;
  const layout: BatchLayoutPart[] = [];
  const chunks: string[] = [];
  let nextId = 1;
  const autoId = (): string => {
    while (encoder.declared.has(String(nextId))) nextId += 1;
    const id = String(nextId);
    encoder.declared.add(id);
    return id;
  };
  // Change-set requests are numbered first (1, 2, … in order); single requests then get the next
  // numbers, so every answer can be matched to its request by the Content-ID the service echoes.
  const changeSetIds = parts.map((part) =>
    part.kind === "changeset" ? part.requests.map((r: BatchRequest) => r.contentId ?? autoId()) : [],
  );
  for (const [i, part] of parts.entries()) {
    chunks.push(`--${boundary}${CRLF}`);
    if (part.kind === "request") {
      const contentId = autoId();
      chunks.push(encodeRequest(part.request, `Batch part ${i}`, encoder, undefined, contentId));
      layout.push({
        kind: "request",
        contentId,
        method: part.request.method,
        ...(part.expect === undefined ? {} : { expect: part.expect }),
      });
      continue;
    }
    const changeSet = `changeset_${newId()}`;
    chunks.push(`Content-Type: multipart/mixed; boundary=${changeSet}${CRLF}${CRLF}`);
    const seen = new Set<string>();
    const contentIds = changeSetIds[i] ?? [];
    for (const [j, request] of part.requests.entries()) {
      const contentId = contentIds[j] ?? autoId();
      chunks.push(`--${changeSet}${CRLF}`);
      chunks.push(encodeRequest(request, `Batch part ${i}, request ${j}`, encoder, seen, contentId));
      seen.add(contentId);
    }
    chunks.push(`--${changeSet}--${CRLF}`);
    layout.push({
      kind: "changeset",
      contentIds,
      methods: part.requests.map((r: BatchRequest) => r.method),
      ...(part.requests.some((r: BatchRequest) => r.expect !== undefined)
        ? { expects: part.requests.map((r: BatchRequest) => r.expect) }
        : {}),
    });
  }
  chunks.push(`--${boundary}--${CRLF}`);
  return {
    boundary,
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: chunks.join(""),
    layout,
    requestCount,
  };
}
