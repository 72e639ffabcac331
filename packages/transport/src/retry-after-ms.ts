/** Headers as a plain object (any key case), a `Headers` instance, or nothing. */
export type HeaderSource = Headers | Readonly<Record<string, string>> | undefined;

/** Value of header `name` (case-insensitive) from a `Headers` object or a plain object. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && typeof value === "string") return value;
  }
  return undefined;
}

const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * The wait a `Retry-After` header asks for, in milliseconds, or undefined when absent or unreadable.
 * Dataverse sends delay-seconds on 429 (reference §5.3); RFC 9110 also allows an HTTP-date, which
 * is measured against `now` (a date in the past means "no wait": 0). Fractional seconds are
 * rounded up so we never come back early. The engine is expected to cap what it honours.
 */
export function retryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const value = headerValue(headers, "retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (DELAY_SECONDS.test(value)) {
    const ms = Math.ceil(Number(value) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Only accept something that looks like an HTTP-date (has a letter month and a time);
  // Date.parse alone would also take "5 apples" or "2024" and produce nonsense waits.
  if (!/[A-Za-z]{3}/.test(value) || !/\d{1,2}:\d{2}/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
