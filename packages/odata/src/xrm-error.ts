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

  /** The plain `{ errorCode, message }` object Xrm.WebApi hands to error callbacks. */
  toJSON(): { errorCode: number; message: string; code: string } {
    return { errorCode: this.errorCode, message: this.message, code: this.code };
  }
}

/** "0x80040217" | 2147746327 | -2147220969 → 2147746327 (positive, unsigned 32-bit). */
export function toErrorCode(code: string | number): number {
  const n = typeof code === "number" ? code : Number.parseInt(code.replace(/^0x/i, ""), 16);
  return Number.isFinite(n) ? n >>> 0 : 0;
}

/** 2147746327 → "0x80040217" */
export function toHexCode(errorCode: number): string {
  return `0x${(errorCode >>> 0).toString(16).padStart(8, "0")}`;
}
