import { toErrorCode } from "./error-code.ts";
import { FILE_ERRORS } from "./error-entries-files.ts";
import { QUERY_BUILDER_ERRORS } from "./error-entries-query-builder.ts";

/** One Dataverse error: its hex code, HTTP status, default message and whether to retry it. */
export interface CatalogueEntry {
  readonly name: string;
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * The Dataverse errors this project raises or handles, by Dataverse's own error name (the
 * `ApiExceptionMessageName` the server reports), except the three client-side transport entries at
 * the end, which use the Windows HRESULTs for the same conditions because Dataverse has no code for
 * "the request never reached the server".
 * Codes and statuses: shared/reference/dataverse-web-api-wire.md §5 and the Dataverse web service
 * error code list. `retryable` means "sending the same request again later can succeed".
 * Keep entries unique by code: `catalogueEntry` looks them up by code.
 */
const HEAD_ERRORS = {
  // ── Payload and argument errors (400) ─────────────────────────────────────────────────────────
  /** The OData reader rejected the JSON payload: unknown property, value not of the property's type. */
  ODataParserError: {
    code: "0x0",
    httpStatus: 400,
    message: "The request body is not valid.",
    retryable: false,
  },
  InvalidArgument: { code: "0x80040203", httpStatus: 400, message: "Invalid argument.", retryable: false },
  StringLengthTooLong: {
    code: "0x80044331",
    httpStatus: 400,
    message: "A validation error occurred. The length of an attribute exceeded its maximum allowed length.",
    retryable: false,
  },
  InvalidCharactersInField: {
    code: "0x80040278",
    httpStatus: 400,
    message: "The field contains one or more invalid characters.",
    retryable: false,
  },
  CannotUpdateBecauseItIsReadOnly: {
    code: "0x8004022e",
    httpStatus: 400,
    message: "The object cannot be updated because it is read-only.",
    retryable: false,
  },
  EntityIsIntersect: {
    code: "0x8004830f",
    httpStatus: 400,
    message: "The specified entity is an intersect entity.",
    retryable: false,
  },
  EntityKeyNotDefined: {
    code: "0x80060890",
    httpStatus: 400,
    message: "The specified key attributes are not a defined key for the entity.",
    retryable: false,
  },
  OptimisticConcurrencyNotEnabled: {
    code: "0x80060883",
    httpStatus: 400,
    message: "The entity does not have optimistic concurrency enabled.",
    retryable: false,
  },
  ConcurrencyVersionNotProvided: {
    code: "0x8006088d",
    httpStatus: 400,
    message: "The RowVersion property must be provided when the concurrency behavior is IfVersionMatches.",
    retryable: false,
  },
  /** A plug-in (ISV code) cancelled the operation; the message is the plug-in's own text. */
  IsvAborted: {
    code: "0x80040265",
    httpStatus: 400,
    message: "The operation was cancelled by a plug-in.",
    retryable: false,
  },
  AggregateQueryRecordLimitExceeded: {
    code: "0x8004e023",
    httpStatus: 400,
    message: "The maximum record limit is exceeded. Reduce the number of records.",
    retryable: false,
  },
  ExpiredVersionStamp: {
    code: "0x80044352",
    httpStatus: 400,
    message: "Version stamp associated with the client has expired. Please perform a full sync.",
    retryable: false,
  },

  InvalidXml: { code: "0x80040201", httpStatus: 400, message: "Invalid XML.", retryable: false },
} as const;

const TAIL_ERRORS = {
  // ── Authentication and authorisation (401 / 403) ─────────────────────────────────────────────
  AccessTokenExpired: {
    code: "0x8005f101",
    httpStatus: 401,
    message: "The requested resource requires authentication.",
    retryable: false,
  },
  PrivilegeDenied: {
    code: "0x80040220",
    httpStatus: 403,
    message: "The user does not hold the privilege this operation needs.",
    retryable: false,
  },
  AccessDenied: { code: "0x80048405", httpStatus: 403, message: "Access is denied.", retryable: false },

  // ── Not found (404) ───────────────────────────────────────────────────────────────────────────
  ObjectDoesNotExist: {
    code: "0x80040217",
    httpStatus: 404,
    message: "The requested record was not found or you do not have sufficient permissions to view it.",
    retryable: false,
  },
  RecordNotFoundByEntityKey: {
    code: "0x80060891",
    httpStatus: 404,
    message: "A record with the specified key values does not exist.",
    retryable: false,
  },
  /** Unknown entity set, function or action in the URL (as observed on the wire). */
  ResourceNotFound: {
    code: "0x80060888",
    httpStatus: 404,
    message: "Resource not found for the segment.",
    retryable: false,
  },
  /** Generic Web API failure; learn.microsoft.com shows it for an unknown URL segment. */
  CrmHttpError: {
    code: "0x8006088a",
    httpStatus: 404,
    message: "A failure occurred in the Web API.",
    retryable: false,
  },
  /** Raised client-side for an entityLogicalName the metadata doesn't know. */
  EntityNotExist: {
    code: "0x8004f899",
    httpStatus: 404,
    message: "The table does not exist in the organization.",
    retryable: false,
  },

  // ── Method not allowed (405) ──────────────────────────────────────────────────────────────────
  CannotDeleteDueToAssociation: {
    code: "0x80040227",
    httpStatus: 405,
    message: "The record you tried to delete is associated with another record and cannot be deleted.",
    retryable: false,
  },

  /** A valid request the server (or, here, the offline store) does not carry out. */
  NotSupported: {
    code: "0x80040315",
    httpStatus: 405,
    message: "The operation is not supported.",
    retryable: false,
  },

  // ── Precondition failed (412) ─────────────────────────────────────────────────────────────────
  DuplicateRecord: {
    code: "0x80040237",
    httpStatus: 412,
    message: "A record with matching key values already exists.",
    retryable: false,
  },
  DuplicateRecordEntityKey: {
    code: "0x80060892",
    httpStatus: 412,
    message: "An alternate key was violated: a record with the same key values already exists.",
    retryable: false,
  },
  ConcurrencyVersionMismatch: {
    code: "0x80060882",
    httpStatus: 412,
    message: "The version of the existing record doesn't match the RowVersion property provided.",
    retryable: false,
  },
  /**
   * Duplicate detection rule hit. The docs (manage-duplicate-detection-create-update) give 500, an
   * older server build 412; we follow the docs. Not transient: the same payload hits the rule again.
   */
  DuplicateRecordsFound: {
    code: "0x80040333",
    httpStatus: 500,
    message: "A record was not created or updated because a duplicate of the current record already exists.",
    retryable: false,
  },

  // ── Too large (413) ───────────────────────────────────────────────────────────────────────────
  RequestTooLarge: {
    code: "0x8004418a",
    httpStatus: 413,
    message: "The request is too large.",
    retryable: false,
  },

  // ── Throttling (429, Retry-After) ────────────────────────────────────────────────────────────
  ThrottlingRequestCount: {
    code: "0x80072322",
    httpStatus: 429,
    message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
    retryable: true,
  },
  ThrottlingExecutionTime: {
    code: "0x80072321",
    httpStatus: 429,
    message:
      "Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
    retryable: true,
  },
  ThrottlingConcurrency: {
    code: "0x80072326",
    httpStatus: 429,
    message: "Number of concurrent requests exceeded the limit of 52.",
    retryable: true,
  },

  // ── Server side, transient (5xx) ─────────────────────────────────────────────────────────────
  /** The server's generic 500. `XrmError.from` makes non-HTTP unknown errors non-retryable. */
  UnexpectedError: {
    code: "0x80040216",
    httpStatus: 500,
    message: "An unexpected error occurred.",
    retryable: true,
  },
  /** SQL lock timeout or deadlock; the docs advise retrying. */
  CouldNotObtainLockOnResource: {
    code: "0x80044339",
    httpStatus: 500,
    message: "Database resource lock could not be obtained.",
    retryable: true,
  },

  // ── Offline client ───────────────────────────────────────────────────────────────────────────
  CantSaveRecordInOffline: {
    code: "0x8005f214",
    httpStatus: 400,
    message: "You can't save this record while you're offline.",
    retryable: false,
  },
  CantUpdateOnlineRecord: {
    code: "0x8005f224",
    httpStatus: 404,
    message: "You can't update this record because it doesn't exist in the offline store.",
    retryable: false,
  },

  // ── Client-side transport (no HTTP exchange: httpStatus 0) ───────────────────────────────────
  /** fetch failed: DNS, refused or reset connection, offline. HRESULT of WinINet's CANNOT_CONNECT. */
  ConnectionFailed: {
    code: "0x80072efd",
    httpStatus: 0,
    message: "A connection with the server could not be established.",
    retryable: true,
  },
  /** The request timed out before an answer came. HRESULT of WinINet's TIMEOUT. */
  RequestTimeout: {
    code: "0x80072ee2",
    httpStatus: 0,
    message: "The operation timed out.",
    retryable: true,
  },
  /** The request was aborted (AbortSignal) before an answer came. HRESULT E_ABORT. */
  RequestAborted: {
    code: "0x80004004",
    httpStatus: 0,
    message: "The operation was aborted.",
    retryable: true,
  },
} as const;

/** Fails to compile when an entry lacks a field or has a wrong type. */
type Entries<T extends Record<string, Omit<CatalogueEntry, "name">>> = T;
// Spelled as an intersection so its declaration needs no inference (isolatedDeclarations: the
// published .d.ts files are generated per file, without the type checker).
export const ERRORS: Entries<
  typeof HEAD_ERRORS & typeof QUERY_BUILDER_ERRORS & typeof FILE_ERRORS & typeof TAIL_ERRORS
> = {
  ...HEAD_ERRORS,
  ...QUERY_BUILDER_ERRORS,
  ...FILE_ERRORS,
  ...TAIL_ERRORS,
};

export type ErrorName = keyof typeof ERRORS;

const byCode = new Map<number, CatalogueEntry>(
  Object.entries(ERRORS).map(([name, e]) => [toErrorCode(e.code), { name, ...e }]),
);

/** Catalogue entry by code in any form ("0x80040217", 2147746327, -2147220969). */
export function catalogueEntry(code: string | number): CatalogueEntry | undefined {
  return byCode.get(toErrorCode(code));
}
