import { XrmError } from "@xrm-offline/odata";

/**
 * What went wrong, for the sync engine's decisions (the Dataverse code says what the server meant):
 * - `http`: the server answered with a non-success status (see `status`, `errorCode`).
 * - `network`: no HTTP answer at all (connection refused, DNS, reset, CORS).
 * - `timeout`: the transport's own deadline passed.
 * - `aborted`: the caller's AbortSignal fired; not to be retried on the caller's behalf.
 * - `auth`: the access-token provider failed; a session problem, not a problem of the request.
 * - `protocol`: an error answer arrived but could not be understood.
 * - `unknown-outcome`: a success answer (or a `$batch` answer) arrived but cannot be read or matched
 *   to its request (cut short, empty, HTML, garbled, a missing or foreign part): the request may or
 *   may not have been applied. Always retryable, `outcomeUnknown`.
 * - `invalid-request`: the request itself cannot be sent (bad URL, header injection attempt).
 * - `not-executed`: a `$batch` part the server never ran because the batch stopped earlier.
 */
export type TransportErrorKind =
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "auth"
  | "protocol"
  | "unknown-outcome"
  | "invalid-request"
  | "not-executed";

/**
 * Codes for failures that carry no Dataverse error body. Network, timeout and abort use the
 * well-known Windows HRESULTs for those conditions (not Dataverse codes, but stable numbers a
 * Dataverse client already understands); `unexpected` is Dataverse's own "UnExpected".
 */
export const TRANSPORT_CODES = {
  /** 0x80040216 UnExpected: an answer we could not interpret (HTML page, garbled JSON, empty body). */
  unexpected: "0x80040216",
  /** 0x80072EFD WININET_E_CANNOT_CONNECT. */
  network: "0x80072efd",
  /** 0x80072EE2 WININET_E_TIMEOUT. */
  timeout: "0x80072ee2",
  /** 0x80004004 E_ABORT. */
  aborted: "0x80004004",
  /** 0x80070005 E_ACCESSDENIED: the token provider threw. */
  auth: "0x80070005",
  /** 0x80040203 InvalidArgument. */
  invalidArgument: "0x80040203",
} as const;

export interface TransportErrorInit {
  readonly kind: TransportErrorKind;
  readonly code: string | number;
  readonly message: string;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly outcomeUnknown?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly raw?: unknown;
  readonly cause?: unknown;
}

/**
 * Every error the transport throws (and every `error` in a `$batch` result).
 * An `XrmError`, so it reaches Xrm callers as `{ errorCode, message }`, plus what the sync engine
 * needs to decide: `kind`, `status`, `retryAfterMs` and `outcomeUnknown`.
 */
export class TransportError extends XrmError {
  readonly kind: TransportErrorKind;
  /** HTTP status of the answer (same as `httpStatus`); 0 when no answer arrived. */
  readonly status: number;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfterMs?: number;
  /**
   * True when the request may or may not have been applied by the server (timeout after sending,
   * reset connection, truncated `$batch` answer, gateway 502/504). The engine must treat the
   * operation as "unknown outcome": re-send it and rely on idempotency (creates carry their GUID,
   * a duplicate-key answer to a re-sent create is success).
   */
  readonly outcomeUnknown: boolean;
  /** Response headers (lower-case names), when an answer arrived. */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(init: TransportErrorInit) {
    super({
      code: init.code,
      message: init.message,
      httpStatus: init.status ?? 0,
      retryable: init.retryable,
      raw: init.raw,
      cause: init.cause,
    });
    this.kind = init.kind;
    this.status = init.status ?? 0;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    if (init.headers !== undefined) this.headers = init.headers;
  }
}

/** A TransportError for a request that cannot be sent as given; never retryable. */
export function invalidRequest(message: string): TransportError {
  return new TransportError({
    kind: "invalid-request",
    code: TRANSPORT_CODES.invalidArgument,
    message,
    retryable: false,
  });
}
