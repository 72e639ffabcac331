import { ERRORS, type ErrorName } from "./error-entries.ts";
import { XrmError } from "./xrm-error.ts";

// The catalogue data lives in error-entries.ts so that XrmError.from can read it without an
// import cycle (error-catalogue → xrm-error → error-classify → error-entries).
export { type CatalogueEntry, catalogueEntry, ERRORS, type ErrorName } from "./error-entries.ts";

/** A new XrmError for catalogue entry `name`, with an optional more specific message. */
export function xrmError(
  name: ErrorName,
  message?: string,
  extra?: { raw?: unknown; cause?: unknown },
): XrmError {
  const e = ERRORS[name];
  return new XrmError({
    code: e.code,
    message: message ?? e.message,
    httpStatus: e.httpStatus,
    retryable: e.retryable,
    ...extra,
  });
}
