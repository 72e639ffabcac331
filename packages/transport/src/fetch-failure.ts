import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";

/** Node's fetch (undici) puts the socket error code on `cause.code`; browsers say nothing. */
function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}

// Failures that happen before a single byte of the request leaves the machine.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

export interface FetchFailureContext {
  /** The caller's signal: when it fired, the failure is the caller's abort. */
  readonly callerSignal?: AbortSignal;
  /** The transport's deadline signal. */
  readonly timeoutSignal?: AbortSignal;
  readonly timeoutMs: number;
  /** True once the response headers arrived (the failure happened while reading the body). */
  readonly answered: boolean;
}

/**
 * The TransportError for a fetch (or body read) that threw: caller abort (not retryable),
 * transport timeout (retryable), or network failure (retryable). Messages never quote the
 * request's headers, so the access token cannot leak through them.
 */
export function fetchFailure(error: unknown, context: FetchFailureContext): TransportError {
  if (context.callerSignal?.aborted) {
    return new TransportError({
      kind: "aborted",
      code: TRANSPORT_CODES.aborted,
      message: "The request was aborted by the caller.",
      retryable: false,
      // It may already have reached the server.
      outcomeUnknown: true,
      cause: context.callerSignal.reason,
    });
  }
  if (context.timeoutSignal?.aborted) {
    return new TransportError({
      kind: "timeout",
      code: TRANSPORT_CODES.timeout,
      message: `The request timed out after ${context.timeoutMs} ms.`,
      retryable: true,
      outcomeUnknown: true,
    });
  }
  const code = causeCode(error);
  return new TransportError({
    kind: "network",
    code: TRANSPORT_CODES.network,
    message: context.answered
      ? `The connection failed while reading the response${code ? ` (${code})` : ""}.`
      : `Network error: the server could not be reached${code ? ` (${code})` : ""}.`,
    retryable: true,
    outcomeUnknown: context.answered || code === undefined || !NOT_SENT.has(code),
    cause: error,
  });
}

/** A signal that fires when any of `signals` fires (AbortSignal.any where it exists). */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any([...signals]);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** The error thrown when the caller's signal has already fired before anything was sent. */
export function abortedBeforeSending(signal: AbortSignal): TransportError {
  return new TransportError({
    kind: "aborted",
    code: TRANSPORT_CODES.aborted,
    message: "The request was aborted by the caller before it was sent.",
    retryable: false,
    cause: signal.reason,
  });
}
