import { type ErrorName, XrmError, xrmError } from "@xrm-offline/odata";

/**
 * One Web API request as the handlers see it, whether it came over HTTP or out of a `$batch` part.
 * `path` is relative to the service root and still percent-encoded; header names are lowercase.
 */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
  /** The raw body, for binary uploads (file and image columns); absent inside `$batch`. */
  readonly bodyBytes?: Buffer;
  /** Inside a `$batch` change set: `Content-ID` → the entity URL it created or addressed. */
  readonly contentIds?: ReadonlyMap<string, string>;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  /** A binary body (a file download); sent instead of `body`. Not carried inside `$batch`. */
  bytes?: Uint8Array;
  /** Set by a successful create/upsert: the entity URL, for `$n` references in a change set. */
  entityUrl?: string;
}

export const JSON_CONTENT_TYPE = "application/json; odata.metadata=minimal";

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): WireResponse {
  return {
    status,
    headers: { "Content-Type": JSON_CONTENT_TYPE, "OData-Version": "4.0", ...headers },
    body: JSON.stringify(body),
  };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { "OData-Version": "4.0", ...headers } };
}

/** The Web API error body `{"error":{"code":"0x…","message":"…"}}` for an XrmError. */
export function errorResponse(e: XrmError): WireResponse {
  // OData parser errors carry code "0x0" on the wire, not the padded "0x00000000".
  const code = e.errorCode === 0 ? "0x0" : e.code;
  return jsonResponse(e.httpStatus || 500, { error: { code, message: e.message } });
}

/** An error with the catalogue's code and status and a specific message. */
export function fail(name: ErrorName, message?: string): XrmError {
  return xrmError(name, message);
}

/**
 * An error raised by Microsoft.OData's parser on the real service: code `0x0`, HTTP 400, and the
 * message prefixed the way Dataverse reports payload validation errors.
 */
export function odataError(message: string): XrmError {
  return new XrmError({
    code: "0x0",
    httpStatus: 400,
    message: `An error occurred while validating input parameters: Microsoft.OData.ODataException: ${message}`,
  });
}

/** Query-option / URL parser errors: code `0x0`, HTTP 400, the parser's message as is. */
export function queryError(message: string): XrmError {
  return new XrmError({ code: "0x0", httpStatus: 400, message });
}

/** An error with an explicit code and status (codes whose status differs by context). */
export function codeError(code: string, httpStatus: number, message: string): XrmError {
  return new XrmError({ code, httpStatus, message });
}

export function notFoundSegment(segment: string): XrmError {
  return fail("ResourceNotFound", `Resource not found for the segment '${segment}'.`);
}

export function recordNotFound(logicalName: string, id: string): XrmError {
  return fail("ObjectDoesNotExist", `Entity '${logicalName}' With Id = ${id} Does Not Exist`);
}

export function undeclaredProperty(name: string): XrmError {
  return odataError(
    `An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
  );
}

export function unknownProperty(name: string, logicalName: string): XrmError {
  return odataError(
    `The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.${logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
}

export function unknownQueryProperty(name: string, logicalName: string): XrmError {
  return queryError(
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${logicalName}'.`,
  );
}

/** Any thrown value → an XrmError (programming errors become 500 UnexpectedError). */
export function toXrmError(e: unknown): XrmError {
  if (e instanceof XrmError) return e;
  return fail(
    "UnexpectedError",
    `An unexpected error occurred: ${e instanceof Error ? e.message : String(e)}`,
  );
}
