import { xrmError } from "../errors/error-catalogue.ts";
import type { XrmError } from "../errors/xrm-error.ts";

/**
 * The errors of the local query language, in one place so their codes stay consistent:
 * - malformed OData and unknown properties → 0x0, as the server's OData parser answers
 *   (`Could not find a property named 'x' on type 'Microsoft.Dynamics.CRM.account'.`);
 * - valid OData that offline reads don't do (collection `$expand`, nested `$filter`, `$skip`,
 *   aggregation) → NotSupported 0x80040315;
 * - FetchXML errors → the QueryBuilder* codes the server uses for FetchXML.
 */

/** Longest piece of user input echoed in a message, so huge inputs give short messages. */
const ECHO_LIMIT = 120;

export function clip(text: string): string {
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text;
}

/** Malformed OData query text: code 0x0 with the (0-based) position, like Microsoft.OData. */
export function syntaxError(what: string, position: number, text: string): XrmError {
  return xrmError("ODataParserError", `Syntax error: ${what} at position ${position} in '${clip(text)}'.`);
}

/** Any other OData query option error the server's parser raises (code 0x0). */
export function parserError(message: string): XrmError {
  return xrmError("ODataParserError", message);
}

/** Unknown or wrongly cased column / navigation property in OData options (server text, code 0x0). */
export function unknownProperty(entity: string, name: string): XrmError {
  return xrmError(
    "ODataParserError",
    `Could not find a property named '${clip(name)}' on type 'Microsoft.Dynamics.CRM.${entity}'.`,
  );
}

/** Valid query that the offline store does not run. */
export function notSupportedOffline(what: string): XrmError {
  return xrmError("NotSupported", `${what} is not supported offline.`);
}

/** Unknown column in FetchXML: the server's QueryBuilderNoAttribute text. */
export function fetchNoAttribute(entity: string, name: string): XrmError {
  return xrmError(
    "QueryBuilderNoAttribute",
    `'${entity}' entity doesn't contain attribute with Name = '${clip(name)}' and NameMapping = 'Logical'.`,
  );
}
