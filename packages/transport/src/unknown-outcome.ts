import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";

/**
 * The error of a request whose answer arrived but cannot be trusted: unreadable (cut short, empty,
 * a captive portal's HTML page, JSON where multipart was due, a garbled status line), missing from
 * a `$batch` answer, or not matching its request (another Content-ID, another entity id). The
 * server may well have applied the request, so it is retryable with an unknown outcome — never a
 * permanent refusal, whatever the status of the answer.
 */
export function unknownOutcome(
  status: number,
  message: string,
  extra: { readonly headers?: Readonly<Record<string, string>>; readonly raw?: string } = {},
): TransportError {
  return new TransportError({
    kind: "unknown-outcome",
    code: TRANSPORT_CODES.unexpected,
    message: `${message}; the request may or may not have been applied.`,
    status,
    retryable: true,
    outcomeUnknown: true,
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
    ...(extra.raw === undefined ? {} : { raw: extra.raw.slice(0, 4096) }),
  });
}
