import { unknownOutcome } from "./unknown-outcome.ts";

/** A successful (2xx or 304) answer of the Web API. */
export interface WebApiResponse {
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; a string for non-JSON bodies (`…/$value`); undefined when empty. */
  readonly body: unknown;
  /** Lower-case GUID at the end of `OData-EntityId` (`…/accounts(<guid>)`), when present. */
  readonly entityId?: string;
  /** `ETag` header, or the body's `@odata.etag`. */
  readonly etag?: string;
}

const ENTITY_ID = /\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)$/i;

/** `…/accounts(00aa00aa-…)` → "00aa00aa-…" (lower case); reference §1.2. */
export function entityIdFrom(odataEntityId: string | undefined): string | undefined {
  return odataEntityId === undefined ? undefined : ENTITY_ID.exec(odataEntityId.trim())?.[1]?.toLowerCase();
}

export function isSuccessStatus(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

/** Is `text`, with content type `contentType`, meant to be JSON? */
function looksLikeJson(contentType: string | undefined, text: string): boolean {
  if (contentType !== undefined && /[/+]json\b/i.test(contentType)) return true;
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
}

export type ParsedBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

/** Body text → JSON value, raw string (non-JSON content), or undefined (empty). Never throws. */
export function parseBody(contentType: string | undefined, text: string): ParsedBody {
  if (text.trim() === "") return { ok: true, value: undefined };
  if (!looksLikeJson(contentType, text)) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Why a 2xx answer is not one the Web API gives (a captive portal's or proxy's page, an empty
 * `200`), or undefined. Writes are answered `204`, or `200`/`201` with an OData JSON document
 * (`return=representation`); any answer may be JSON or empty, never an HTML page.
 */
export function untrustedSuccess(
  method: string | undefined,
  status: number,
  headers: Readonly<Record<string, string>>,
  text: string,
): string | undefined {
  const type = headers["content-type"] ?? "";
  if (/^\s*text\/html\b/i.test(type) || /^\s*<(!doctype|html)\b/i.test(text)) return "is an HTML page";
  if (method === undefined || method === "GET" || status === 204 || status === 304) return undefined;
  if (text.trim() === "") return `is an empty ${status}`;
  if (!/[/+]json\b/i.test(type)) return `is ${type === "" ? "not typed" : type}, not JSON`;
  if (!/"@odata\.context"\s*:/.test(text)) return "is JSON but not an OData document";
  return undefined;
}

/**
 * The WebApiResponse of a successful answer. A body that does not parse (truncated, garbled), or
 * is not an answer the Web API gives to `method` (see untrustedSuccess), is an unknown-outcome
 * TransportError: the request may well have been applied.
 */
export function successResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  text: string,
  method?: string,
): WebApiResponse {
  const untrusted = untrustedSuccess(method, status, headers, text);
  if (untrusted !== undefined) {
    throw unknownOutcome(status, `HTTP ${status}: the answer ${untrusted}`, { headers, raw: text });
  }
  const parsed = parseBody(headers["content-type"], text);
  if (!parsed.ok) {
    throw unknownOutcome(
      status,
      `HTTP ${status}: the response body is not valid JSON (${text.length} characters, possibly truncated)`,
      { headers, raw: text },
    );
  }
  const body = parsed.value;
  const entityId = entityIdFrom(headers["odata-entityid"]);
  const bodyEtag =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)["@odata.etag"]
      : undefined;
  const etag = headers.etag ?? (typeof bodyEtag === "string" ? bodyEtag : undefined);
  return {
    status,
    headers,
    body,
    ...(entityId === undefined ? {} : { entityId }),
    ...(etag === undefined ? {} : { etag }),
  };
}
