import { xrmError } from "../errors/error-catalogue.ts";
import type { WebApiRequest } from "./write-operation.ts";

/**
 * Dataverse's limit on one request: "The size limit to send a single request is 128 MB"
 * (Power Apps docs, "Work with file column definitions using code"). A write above it is answered
 * 413 for ever, so it is refused when it is made.
 */
export const MAX_REQUEST_BYTES: number = 128 * 1024 * 1024;

/** Request line, headers and `$batch` part framing: a generous allowance. */
const FRAMING_BYTES = 1024;

/**
 * The most bytes `request` can take on the wire: its URL and headers, and its body as JSON with
 * every non-ASCII UTF-16 unit escaped as `\uXXXX` (how a `$batch` part carries it; the larger of
 * the two encodings the transport uses). Pure.
 */
export function requestBytes(request: WebApiRequest): number {
  let bytes = FRAMING_BYTES + request.url.length;
  for (const [name, value] of Object.entries(request.headers ?? {})) bytes += name.length + value.length + 4;
  if (request.body === undefined) return bytes;
  const json = JSON.stringify(request.body) ?? "";
  bytes += json.length;
  for (let i = 0; i < json.length; i += 1) if (json.charCodeAt(i) >= 0x7f) bytes += 5;
  return bytes;
}

/** Throws RequestTooLarge (0x8004418a) when `request` is larger than `limit` bytes. */
export function checkRequestSize(request: WebApiRequest, limit: number = MAX_REQUEST_BYTES): void {
  checkRequestBytes(requestBytes(request), limit);
}

/** Throws RequestTooLarge (0x8004418a) when a request of `bytes` is larger than `limit` bytes. */
export function checkRequestBytes(bytes: number, limit: number = MAX_REQUEST_BYTES): void {
  if (bytes > limit) {
    throw xrmError(
      "RequestTooLarge",
      `The request for this write takes ${bytes} bytes; the server accepts at most ${limit} bytes in one request.`,
    );
  }
}
