/**
 * The one rule for "sending the same request again later can succeed", by HTTP status: 408
 * (request timeout), 429 (throttled) and every 5xx. Other statuses are the server's verdict on the
 * request itself. No answer at all (status 0) is decided by why there was none (a network error
 * is retryable, a caller's abort is not), so it is not a status question.
 * Used by `XrmError.from`, the transport's error answers and the sync engine's verdicts.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
