import type { WireResponse } from "./wire.ts";

/**
 * Answers real mobile networks and proxies give after the server did the work. Each one is applied
 * to the response of a request the server has already processed and committed: the writes landed,
 * only the answer is spoiled.
 *
 * - `truncate`: the body is cut short (a dropped proxy connection that still closed cleanly). A
 *   bodiless answer (204) becomes `200` with half a JSON object.
 * - `empty`: `200` with no body and none of the service's headers.
 * - `html`: `200 text/html`, a captive portal's or proxy's login page.
 * - `json`: `200 application/json` that is not the expected answer (an object where a `$batch`
 *   answer must be multipart; where a single write answered 204, an unrelated JSON document).
 * - `garble-status`: one `$batch` part's status line unreadable (`HTTP/1.1 2O4 No Content`); a
 *   single answer's body becomes the garbled status line itself.
 * - `missing-parts`: a `$batch` answer without some of its parts (the last one, and one more when
 *   there are three or more); a single answer: like `empty`.
 * - `reorder-parts`: a `$batch` answer's parts in reverse order, each keeping its own Content-ID;
 *   a single answer is left as it is.
 */
export type AnswerFaultKind =
  | "truncate"
  | "empty"
  | "html"
  | "json"
  | "garble-status"
  | "missing-parts"
  | "reorder-parts";

export const ANSWER_FAULT_KINDS: readonly AnswerFaultKind[] = [
  "truncate",
  "empty",
  "html",
  "json",
  "garble-status",
  "missing-parts",
  "reorder-parts",
];

export function isAnswerFaultKind(value: unknown): value is AnswerFaultKind {
  return typeof value === "string" && (ANSWER_FAULT_KINDS as readonly string[]).includes(value);
}

const PORTAL_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in to Wi-Fi</title></head><body><form method="post" action="/login"><p>Accept the terms to continue.</p><button>Connect</button></form></body></html>';

function plain(status: number, contentType: string | undefined, body: string): WireResponse {
  return { status, headers: contentType === undefined ? {} : { "Content-Type": contentType }, body };
}

/** The top-level boundary of a multipart answer, when it is one. */
function boundaryOf(response: WireResponse): string | undefined {
  const type = response.headers["Content-Type"] ?? "";
  return /^multipart\/mixed;\s*boundary="?([^";]+)"?/i.exec(type)?.[1];
}

/** A multipart body split into its top-level parts (text between delimiter lines). */
function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const end = body.lastIndexOf(`${delimiter}--`);
  const inner = end < 0 ? body : body.slice(0, end);
  return inner
    .split(`${delimiter}\r\n`)
    .slice(1)
    .map((part) => part.replace(/\r\n$/, ""));
}

function joinParts(parts: readonly string[], boundary: string): string {
  const delimiter = `--${boundary}`;
  return `${parts.map((p) => `${delimiter}\r\n${p}\r\n`).join("")}${delimiter}--\r\n`;
}

/** The first `HTTP/1.1 <status>` line of a part (a change set's first inner part) made unreadable. */
function garbleFirstStatus(part: string): string {
  return part.replace(/HTTP\/1\.1 (\d{3})/, (_, status: string) =>
    status.includes("0") ? `HTTP/1.1 ${status.replaceAll("0", "O")}` : `HTTP/1.1 x${status}`,
  );
}

function spoilBatch(kind: AnswerFaultKind, response: WireResponse, boundary: string): WireResponse {
  const parts = splitParts(response.body ?? "", boundary);
  const rebuilt = (kept: readonly string[]): WireResponse => ({
    ...response,
    body: joinParts(kept, boundary),
  });
  switch (kind) {
    case "missing-parts": {
      if (parts.length <= 1) return rebuilt([]);
      const kept = parts.slice(0, -1);
      if (kept.length >= 2) kept.splice(Math.floor(kept.length / 2), 1);
      return rebuilt(kept);
    }
    case "reorder-parts":
      return rebuilt([...parts].reverse());
    case "garble-status": {
      const k = Math.floor(parts.length / 2);
      return rebuilt(parts.map((p, i) => (i === k ? garbleFirstStatus(p) : p)));
    }
    case "json":
      return plain(200, "application/json; odata.metadata=minimal", '{"value":[]}');
    default:
      return spoilAny(kind, response);
  }
}

function spoilAny(kind: AnswerFaultKind, response: WireResponse): WireResponse {
  const body = response.body ?? "";
  switch (kind) {
    case "truncate": {
      if (body === "") return plain(200, "application/json; odata.metadata=minimal", '{"@odata.context":"');
      return {
        ...response,
        status: response.status === 204 ? 200 : response.status,
        body: body.slice(0, Math.floor(body.length / 2)),
      };
    }
    case "html":
      return plain(200, "text/html; charset=utf-8", PORTAL_PAGE);
    case "json":
      return plain(200, "application/json", '{"status":"ok","portal":true}');
    case "garble-status":
      return plain(200, "application/http", "HTTP/1.1 2O4 No Content\r\n\r\n");
    case "reorder-parts":
      return response;
    default:
      return plain(200, undefined, "");
  }
}

/**
 * The answer as the client receives it once the fault spoiled it. Pure: `response` is the
 * committed request's real answer.
 */
export function spoilAnswer(kind: AnswerFaultKind, response: WireResponse): WireResponse {
  const boundary = boundaryOf(response);
  return boundary === undefined ? spoilAny(kind, response) : spoilBatch(kind, response, boundary);
}
