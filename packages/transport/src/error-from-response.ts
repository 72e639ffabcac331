import { isRetryableStatus } from "@xrm-offline/odata";
import { retryAfterMs } from "./retry-after-ms.ts";
import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";
import { parseBody } from "./web-api-response.ts";

export interface ErrorResponseInput {
  readonly status: number;
  readonly statusText?: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** Clock for an HTTP-date `Retry-After`. */
  readonly now?: number;
  /** Applied to the body before anything is taken from it (removes the access token). */
  readonly redact?: (text: string) => string;
}

/**
 * A gateway that gives up (502, 504) may have passed the request on: its effect is unknown.
 * Dataverse's own 500 rolls the operation back, and 503/429 refuse before doing anything.
 */
function outcomeUnknownFor(status: number): boolean {
  return status === 502 || status === 504;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function htmlTitle(text: string): string | undefined {
  const title = /<title[^>]*>([^<]{1,200})/i.exec(text)?.[1]?.replace(/\s+/g, " ").trim();
  return title === "" ? undefined : title;
}

/**
 * The TransportError for a non-success answer. A Dataverse error body
 * `{"error":{"code":"0x…","message":"…"}}` keeps its code and message exactly; anything else
 * (empty, HTML from a gateway, truncated JSON) gets the "UnExpected" code and a message naming the
 * status and what the body was; a body that can't be read (not empty) makes it retryable with an
 * unknown outcome. Never throws.
 */
export function errorFromResponse(input: ErrorResponseInput): TransportError {
  const { status, headers } = input;
  // Redact first, so nothing derived from the body (message, raw) can carry the token.
  const text = input.redact === undefined ? input.text : input.redact(input.text);
  const statusLine = `HTTP ${status}${input.statusText ? ` ${input.statusText}` : ""}`;
  const contentType = headers["content-type"];
  const parsed = parseBody(contentType, text);
  const body = parsed.ok ? asRecord(parsed.value) : undefined;
  const error = asRecord(body?.error);

  let code: string | number = TRANSPORT_CODES.unexpected;
  let message: string;
  const serverMessage = error?.message ?? body?.Message ?? body?.message;
  if (error !== undefined && (typeof error.code === "string" || typeof error.code === "number")) {
    // "" (older Dataverse renderings) and "0x0" (OData parser errors) both become errorCode 0.
    code = error.code;
  }
  if (typeof serverMessage === "string" && serverMessage !== "") {
    message = serverMessage;
  } else if (text.trim() === "") {
    message = `${statusLine}: the server returned an empty error body.`;
  } else if (!parsed.ok) {
    message = `${statusLine}: the error body is not valid JSON (${text.length} characters, possibly truncated).`;
  } else if (typeof parsed.value === "string") {
    const title = htmlTitle(text);
    const kind = contentType?.split(";")[0]?.trim() || "unknown content type";
    message = `${statusLine}: the server returned a non-JSON error body (${kind})${title ? `: ${title}` : ""}.`;
  } else {
    message = `${statusLine}: the error body has no Dataverse error message.`;
  }

  // A body that can't be read (cut short, an HTML page from a proxy or a portal) is not the
  // service's verdict: the status may not be its either. Retry it, outcome unknown (issue 14).
  const unreadable = !parsed.ok || (typeof parsed.value === "string" && text.trim() !== "");
  const wait = retryAfterMs(headers, input.now);
  return new TransportError({
    kind: "http",
    code,
    message,
    status,
    retryable: unreadable || isRetryableStatus(status),
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    outcomeUnknown: unreadable || outcomeUnknownFor(status),
    headers,
    raw: body ?? text.slice(0, 4096),
  });
}
