import { errorInitFrom } from "./error-classify.ts";
import { toErrorCode, toHexCode } from "./error-code.ts";

export { toErrorCode, toHexCode };

/**
 * The one error type every package throws and every rejected promise carries.
 * Shape of Xrm.WebApi errors: `{ errorCode: number, message: string }`, where errorCode is the
 * Dataverse hex code as a positive decimal (0x80040333 → 2147746611). `code` keeps the hex form.
 * (The error catalogue — codes, messages, statuses, retryability — lives in error-catalogue.ts.)
 */
export class XrmError extends Error {
  override readonly name = "XrmError";
  /** Positive decimal form of the Dataverse code, as Xrm.WebApi reports it. */
  readonly errorCode: number;
  /** Hex form as the server sends it: "0x80040217". */
  readonly code: string;
  /** HTTP status the server answers with for this code (0 when no HTTP exchange happened). */
  readonly httpStatus: number;
  /** Worth retrying unchanged later (network, 5xx, throttling). */
  readonly retryable: boolean;
  /** The server's raw error body or the underlying cause, for diagnostics. */
  readonly raw?: unknown;

  constructor(init: {
    code: string | number;
    message: string;
    httpStatus?: number;
    retryable?: boolean;
    raw?: unknown;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.errorCode = toErrorCode(init.code);
    this.code = toHexCode(this.errorCode);
    this.httpStatus = init.httpStatus ?? 0;
    this.retryable = init.retryable ?? false;
    if (init.raw !== undefined) this.raw = init.raw;
  }

  /**
   * Any thrown or answered thing → an XrmError; never throws.
   * - an XrmError: returned as is;
   * - a Web API error body `{"error":{"code":"0x…","message":"…"}}`, as an object or JSON text:
   *   that code and message, with the catalogue's status and retryability;
   * - a Response-like `{ status, body?, statusText? }` whose body was already read (text or JSON):
   *   the body's code with the real status; without a code, one inferred from the status;
   * - `{ errorCode, message }` (Xrm's callback shape) and `{ code: "0x…", message }`;
   * - fetch's network TypeError (or a cause with ECONNREFUSED, ENOTFOUND…): ConnectionFailed,
   *   retryable; AbortError: RequestAborted, retryable; TimeoutError / ETIMEDOUT: RequestTimeout;
   * - anything else: UnexpectedError (0x80040216), httpStatus 0, NOT retryable.
   * Generic server codes (0x80040216, 0x8006088a) and codes outside the catalogue are retryable
   * exactly when the HTTP status is (`isRetryableStatus`: 408, 429, 5xx).
   */
  static from(error: unknown): XrmError {
    if (error instanceof XrmError) return error;
    return new XrmError(errorInitFrom(error));
  }

  /** The plain `{ errorCode, message }` object Xrm.WebApi hands to error callbacks. */
  toJSON(): { errorCode: number; message: string; code: string } {
    return { errorCode: this.errorCode, message: this.message, code: this.code };
  }
}
