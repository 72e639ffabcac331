/**
 * Turns anything thrown or answered into the fields of an XrmError. Pure and total: it never throws,
 * whatever it is given (getters that throw, proxies, cyclic objects, symbols…).
 * `XrmError.from` is the public entry point; this file has no dependency on the class so the
 * catalogue, the class and this classifier don't import each other in a cycle.
 */

import { toErrorCode } from "./error-code.ts";
import { type CatalogueEntry, catalogueEntry, ERRORS, type ErrorName } from "./error-entries.ts";
import { isRetryableStatus } from "./retryable-status.ts";

export interface XrmErrorInit {
  code: string | number;
  message: string;
  httpStatus: number;
  retryable: boolean;
  raw?: unknown;
  cause?: unknown;
}

/** Longest message we keep; server messages can carry a whole .NET stack trace. */
const MAX_MESSAGE = 8192;

/** Codes that only say "something failed": whether to retry depends on the HTTP status. */
const GENERIC_CODES = new Set([
  toErrorCode(ERRORS.UnexpectedError.code),
  toErrorCode(ERRORS.CrmHttpError.code),
]);

/** Node (undici) and browser network failure codes found on an error or its `cause`. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
/** fetch's TypeError messages: undici, Chromium, Firefox, Safari. */
const NETWORK_MESSAGE = /fetch failed|failed to fetch|networkerror|load failed|network request failed/i;

export function errorInitFrom(input: unknown): XrmErrorInit {
  try {
    return classify(input);
  } catch (cause) {
    // Only reachable through hostile inputs (throwing getters, revoked proxies).
    return generic("An unexpected error occurred.", input, cause);
  }
}

function classify(input: unknown): XrmErrorInit {
  if (typeof input === "string") {
    const body = parseJsonObject(input);
    return (body && fromObject(body, undefined, input)) ?? generic(input, input);
  }
  if (typeof input !== "object" || input === null) {
    return generic(
      input == null ? ERRORS.UnexpectedError.message : `Unexpected error: ${safeString(input)}`,
      input,
    );
  }
  const shaped = fromObject(input, undefined, input);
  if (shaped) return shaped;
  if (input instanceof Error || isErrorLike(input)) return fromJsError(input as Error);
  return generic(ERRORS.UnexpectedError.message, input);
}

function fromObject(obj: object, status: number | undefined, raw: unknown): XrmErrorInit | undefined {
  const o = obj as Record<string, unknown>;
  // A server error body: {"error":{"code":"0x…","message":"…"}}.
  const inner = o.error;
  if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
    const e = inner as Record<string, unknown>;
    const annotated = Number(e["@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode"]);
    const st = status ?? (Number.isInteger(annotated) && annotated > 0 ? annotated : undefined);
    return fromCode(parseCode(e.code), stringOrUndefined(e.message), st, raw);
  }
  // A Response-like object whose body was already read: { status, body?, statusText? }.
  if (typeof o.status === "number" && Number.isInteger(o.status) && o.status >= 100 && o.status <= 599) {
    if ("body" in o || "statusText" in o || "headers" in o || "ok" in o) {
      const body = typeof o.body === "string" ? parseJsonObject(o.body) : o.body;
      if (typeof body === "object" && body !== null) {
        const fromBody = fromObject(body, o.status, o.body);
        if (fromBody) return fromBody;
      }
      const text =
        typeof o.body === "string" && o.body.trim() ? o.body.trim() : stringOrUndefined(o.statusText);
      return fromCode(undefined, text, o.status, o.body ?? raw);
    }
  }
  // Xrm's own callback shape { errorCode, message } or our toJSON { errorCode, message, code }.
  if (typeof o.errorCode === "number" || (typeof o.errorCode === "string" && o.errorCode !== "")) {
    return fromCode(parseCode(o.errorCode), stringOrUndefined(o.message), undefined, raw);
  }
  // { code: "0x80040217", message } (an `error` object taken out of its body).
  if (typeof o.code === "string" && /^0x[0-9a-f]{1,8}$/i.test(o.code) && typeof o.message === "string") {
    return fromCode(parseCode(o.code), o.message, status, raw);
  }
  return undefined;
}

/** Code known or not, message present or not, status known or not → the fields. */
function fromCode(
  code: number | undefined,
  message: string | undefined,
  status: number | undefined,
  raw: unknown,
): XrmErrorInit {
  let entry: CatalogueEntry | undefined = code === undefined ? undefined : catalogueEntry(code);
  if (code === undefined) {
    // Old server builds sent "code": "" — infer what they meant from the status.
    entry = status === undefined ? undefined : catalogueEntry(ERRORS[byStatus(status, message)].code);
    if (!entry) return generic(message ?? ERRORS.UnexpectedError.message, raw);
  }
  const errorCode = code ?? toErrorCode(entry!.code);
  const httpStatus = status ?? entry?.httpStatus ?? 0;
  const retryable =
    entry && !(status !== undefined && GENERIC_CODES.has(errorCode))
      ? entry.retryable
      : status !== undefined && isRetryableStatus(status);
  return {
    code: errorCode,
    message: cap(message ?? entry?.message ?? `The server answered HTTP ${httpStatus}.`),
    httpStatus,
    retryable,
    raw,
  };
}

function byStatus(status: number, message: string | undefined): ErrorName {
  switch (status) {
    case 400:
      return "InvalidArgument";
    case 401:
      return "AccessTokenExpired";
    case 403:
      return "AccessDenied";
    case 404:
      return "ObjectDoesNotExist";
    case 408:
      return "RequestTimeout";
    case 412:
      return message && /matching key|already exists/i.test(message)
        ? "DuplicateRecord"
        : "ConcurrencyVersionMismatch";
    case 413:
      return "RequestTooLarge";
    case 429:
      return "ThrottlingRequestCount";
    default:
      return "UnexpectedError";
  }
}

function fromJsError(err: Error): XrmErrorInit {
  const name = safeString(err.name);
  const message = safeString(err.message);
  const codes = [codeOf(err), codeOf(err.cause), codeOf(causeOf(err.cause))];
  if (name === "TimeoutError" || codes.some((c) => c !== undefined && TIMEOUT_CODES.has(c))) {
    return transport("RequestTimeout", message, err);
  }
  if (name === "AbortError") return transport("RequestAborted", message, err);
  if (
    codes.some((c) => c !== undefined && NETWORK_CODES.has(c)) ||
    (name === "TypeError" && NETWORK_MESSAGE.test(message))
  ) {
    return transport("ConnectionFailed", message, err);
  }
  return generic(message || name || ERRORS.UnexpectedError.message, err, err);
}

function transport(
  name: "RequestTimeout" | "RequestAborted" | "ConnectionFailed",
  detail: string,
  err: Error,
) {
  const e = ERRORS[name];
  const message = detail && detail !== e.message ? `${e.message} (${detail})` : e.message;
  return { code: e.code, message: cap(message), httpStatus: 0, retryable: true, raw: err, cause: err };
}

/** Anything we can't place: never retried, so a bug can't loop forever in the sync engine. */
function generic(message: string, raw: unknown, cause?: unknown): XrmErrorInit {
  const init: XrmErrorInit = {
    code: ERRORS.UnexpectedError.code,
    message: cap(message || ERRORS.UnexpectedError.message),
    httpStatus: 0,
    retryable: false,
  };
  if (raw !== undefined) init.raw = raw;
  if (cause !== undefined) init.cause = cause;
  return init;
}

/** "0x80040217", "80040217", "-2147220969", "2147746327", 2147746327 → number; "" or junk → undefined. */
function parseCode(code: unknown): number | undefined {
  if (typeof code === "number") return Number.isInteger(code) ? toErrorCode(code) : undefined;
  if (typeof code !== "string") return undefined;
  const c = code.trim();
  if (/^0x[0-9a-f]{1,8}$/i.test(c)) return toErrorCode(c);
  // Decimal forms: negative HRESULT, or the 10-digit positive errorCode Xrm reports.
  if (/^-\d{1,10}$/.test(c) || /^\d{10}$/.test(c)) return toErrorCode(Number(c));
  if (/^[0-9a-f]{1,8}$/i.test(c)) return toErrorCode(c);
  return undefined;
}

function parseJsonObject(text: string): object | undefined {
  const t = text.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isErrorLike(o: object): boolean {
  const e = o as { name?: unknown; message?: unknown };
  return typeof e.name === "string" && typeof e.message === "string";
}

function codeOf(x: unknown): string | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const c = (x as { code?: unknown }).code;
  return typeof c === "string" ? c : undefined;
}

function causeOf(x: unknown): unknown {
  return typeof x === "object" && x !== null ? (x as { cause?: unknown }).cause : undefined;
}

function stringOrUndefined(x: unknown): string | undefined {
  return typeof x === "string" && x !== "" ? x : undefined;
}

function safeString(x: unknown): string {
  try {
    return typeof x === "string" ? x : String(x);
  } catch {
    return "";
  }
}

function cap(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}
