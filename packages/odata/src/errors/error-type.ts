import { toErrorCode } from "./error-code.ts";
import { ERRORS } from "./error-entries.ts";
import { XrmError } from "./xrm-error.ts";

/**
 * The `errortype` of Dataverse's syncerror table for a failed replay:
 * 0 conflict, 1 record not found, 2 record already exists, 3 other.
 */
export type SyncErrorType = 0 | 1 | 2 | 3;

const TYPES = new Map<number, SyncErrorType>([
  [toErrorCode(ERRORS.ConcurrencyVersionMismatch.code), 0],
  [toErrorCode(ERRORS.ObjectDoesNotExist.code), 1],
  [toErrorCode(ERRORS.RecordNotFoundByEntityKey.code), 1],
  [toErrorCode(ERRORS.DuplicateRecord.code), 2],
  [toErrorCode(ERRORS.DuplicateRecordEntityKey.code), 2],
  // A duplicate-detection rule hit: the server says an equivalent record already exists.
  [toErrorCode(ERRORS.DuplicateRecordsFound.code), 2],
]);

/** Classifies anything `XrmError.from` accepts; never throws. */
export function errorTypeFor(error: unknown): SyncErrorType {
  return TYPES.get(XrmError.from(error).errorCode) ?? 3;
}
