import { toErrorCode, toHexCode, XrmError } from "./xrm-error.ts";

/** One Dataverse error: its hex code, HTTP status, default message and whether to retry it. */
export interface CatalogueEntry {
  readonly name: string;
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * The Dataverse errors this project raises or handles, by Dataverse's own error name.
 * Codes and statuses: shared/reference/dataverse-web-api-wire.md §5.
 */
export const ERRORS = {
  InvalidArgument: { code: "0x80040203", httpStatus: 400, message: "Invalid argument.", retryable: false },
  ObjectDoesNotExist: {
    code: "0x80040217",
    httpStatus: 404,
    message: "The requested record was not found or you do not have sufficient permissions to view it.",
    retryable: false,
  },
  DuplicateRecord: {
    code: "0x80040237",
    httpStatus: 412,
    message: "A record with matching key values already exists.",
    retryable: false,
  },
  ConcurrencyVersionMismatch: {
    code: "0x80060882",
    httpStatus: 412,
    message: "The version of the existing record doesn't match the RowVersion property provided.",
    retryable: false,
  },
  ODataParserError: {
    code: "0x0",
    httpStatus: 400,
    message: "The request body is not valid.",
    retryable: false,
  },
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
  // Added for the emulator (apps/emulator): codes the server side raises.
  ResourceNotFound: {
    code: "0x80060888",
    httpStatus: 404,
    message: "Resource not found for the segment.",
    retryable: false,
  },
  ExpiredVersionStamp: {
    code: "0x80044352",
    httpStatus: 400,
    message: "Version stamp associated with the client has expired. Please perform a full sync.",
    retryable: false,
  },
  RequestTooLarge: {
    code: "0x8004418a",
    httpStatus: 413,
    message: "The request is too large.",
    retryable: false,
  },
  UnexpectedError: {
    code: "0x80040216",
    httpStatus: 500,
    message: "An unexpected error occurred.",
    retryable: true,
  },
  // Added for the local query language (query-*.ts, fetchxml-*.ts): offline reads. Names, codes and
  // messages from Dataverse's web service error code list.
  NotSupported: { code: "0x80040315", httpStatus: 400, message: "This action is not supported.", retryable: false },
  InvalidXml: { code: "0x80040201", httpStatus: 400, message: "Invalid XML.", retryable: false },
  QueryBuilderNoEntity: {
    code: "0x80041102",
    httpStatus: 400,
    message: "The specified entity was not found.",
    retryable: false,
  },
  QueryBuilderNoAttribute: {
    code: "0x80041103",
    httpStatus: 400,
    message: "The specified attribute does not exist on this entity.",
    retryable: false,
  },
  QueryBuilderInvalid_Value: {
    code: "0x80041108",
    httpStatus: 400,
    message: "Invalid value specified for type.",
    retryable: false,
  },
  QueryBuilderDeserializeInvalidNode: {
    code: "0x8004111c",
    httpStatus: 400,
    message: "The element node encountered is invalid.",
    retryable: false,
  },
  QueryBuilderAttributeNotFound: {
    code: "0x8004111e",
    httpStatus: 400,
    message: "A required attribute was not specified.",
    retryable: false,
  },
  QueryBuilderInvalidConditionOperator: {
    code: "0x80041120",
    httpStatus: 400,
    message: "Unsupported condition operator.",
    retryable: false,
  },
  QueryBuilderInvalidFilterType: {
    code: "0x80041122",
    httpStatus: 400,
    message: "Unsupported filter type. Valid values are 'and', or 'or'.",
    retryable: false,
  },
  QueryBuilderEntitiesDontMatch: {
    code: "0x80041128",
    httpStatus: 400,
    message:
      "The entity name specified in fetchxml does not match the entity name specified in the Entity or Query Expression.",
    retryable: false,
  },
} as const satisfies Record<string, Omit<CatalogueEntry, "name">>;

export type ErrorName = keyof typeof ERRORS;

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

/** Catalogue entry by code in any form ("0x80040217", 2147746327, -2147220969). */
export function catalogueEntry(code: string | number): CatalogueEntry | undefined {
  const hex = toHexCode(toErrorCode(code));
  for (const [name, e] of Object.entries(ERRORS)) {
    if (toHexCode(toErrorCode(e.code)) === hex) return { name, ...e };
  }
  return undefined;
}
