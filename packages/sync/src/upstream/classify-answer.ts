import { ERRORS, errorTypeFor, isRetryableStatus, type SyncErrorType, toErrorCode } from "@xrm-offline/odata";
import type { RemoteError, RemoteResult } from "../ports.ts";
import type { PlannedWrite } from "./round-planner.ts";

const DUPLICATE_RECORD = toErrorCode(ERRORS.DuplicateRecord.code);
const OBJECT_DOES_NOT_EXIST = toErrorCode(ERRORS.ObjectDoesNotExist.code);
const VERSION_MISMATCH = toErrorCode(ERRORS.ConcurrencyVersionMismatch.code);

/** What to do with one write after the server's answer (or the lack of one). */
export type Verdict =
  | { readonly kind: "acknowledged"; readonly etag?: string }
  | { readonly kind: "retry"; readonly error: RemoteError }
  | {
      readonly kind: "failed";
      readonly errorType: SyncErrorType;
      readonly error: RemoteError;
      /** A conflict's server record (null: gone), to refresh the local copy with. */
      readonly serverRecord?: Readonly<Record<string, unknown>> | null;
    }
  /** A 412 to an update sent with its ETag: look at the server's record before calling it a conflict. */
  | { readonly kind: "check-conflict"; readonly error: RemoteError };

/**
 * Transient: worth sending unchanged later. An answer by odata's one rule (`isRetryableStatus`:
 * 408, 429, 5xx), plus 401: the credentials failed, not the write, so it waits for a fresh token
 * instead of becoming a failure the user must retry. Other 4xx are the server's verdict on this
 * write and are kept as failures. Without an answer (status 0) the remote says: a network error
 * or timeout is retryable; a request it could not even build is not, or it would loop forever.
 */
export function isTransient(error: RemoteError): boolean {
  // An answer that can't be read or matched to the write (whatever its status: a cut-short or
  // HTML 2xx, a missing or foreign `$batch` part) says nothing about the write, which may have
  // been applied: never a failure, never acknowledged — sent again, marked unknown.
  if (error.outcomeUnknown) return true;
  const s = error.status;
  if (s === 0) return error.retryable;
  return s === 401 || isRetryableStatus(s);
}

/**
 * The verdict on one write. The idempotency rules (docs/sync.md, "Idempotency"):
 * - a create carries its client GUID, so a re-sent create that was applied before answers
 *   "duplicate key" (0x80040237). That counts as success only when an earlier attempt's outcome
 *   is unknown; on a write never sent before, a duplicate is a real "already exists" (type 2).
 * - a delete re-sent after it was applied answers 404; success only after an unknown outcome.
 * - an update with `If-Match: *` can be re-sent as often as needed: same columns, same values.
 * - an answer whose outcome is unknown (no answer, or one that can't be read or matched to the
 *   write: a cut-short or HTML 2xx, a missing or foreign `$batch` part) is a retry, marked unknown.
 */
export function classifyAnswer(write: PlannedWrite, result: RemoteResult, sentEtag: boolean): Verdict {
  if (result.ok)
    return result.etag === undefined ? { kind: "acknowledged" } : { kind: "acknowledged", etag: result.etag };
  const error = result.error;
  if (isTransient(error)) return { kind: "retry", error };
  const op = write.operation;
  if (op.kind === "create" && error.errorCode === DUPLICATE_RECORD && write.outcomeUnknown) {
    return { kind: "acknowledged" };
  }
  if (op.kind === "delete" && isNotFound(error) && write.outcomeUnknown) return { kind: "acknowledged" };
  if (op.kind === "update" && sentEtag && error.status === 412 && error.errorCode !== DUPLICATE_RECORD) {
    return { kind: "check-conflict", error };
  }
  return { kind: "failed", errorType: failureType(error), error };
}

function isNotFound(error: RemoteError): boolean {
  return error.errorCode === OBJECT_DOES_NOT_EXIST || error.status === 404;
}

/** syncerror.errortype of a permanent failure. */
export function failureType(error: RemoteError): SyncErrorType {
  const t = errorTypeFor({ errorCode: error.errorCode, message: error.message });
  if (t !== 3) return t;
  // Codes outside the catalogue: the status still says "not found" / "version mismatch".
  if (error.status === 404) return 1;
  if (error.status === 412 && error.errorCode === VERSION_MISMATCH) return 0;
  return 3;
}

/**
 * Does the server's record already hold every value this update sets? Used after a 412 to an
 * update re-sent after an unknown outcome: our own earlier attempt moved the ETag on, and the
 * server's record then carries exactly our values. Values are compared as the Web API returns
 * them: plain JSON values, lookups as `_<column>_value` GUIDs, dates by instant.
 */
export function serverHasValues(
  record: Readonly<Record<string, unknown>>,
  columns: Readonly<Record<string, unknown>>,
  lookups: readonly { readonly lookupAttribute: string; readonly targetId: string | null }[],
): boolean {
  for (const [name, value] of Object.entries(columns)) {
    if (!Object.hasOwn(record, name) || !sameValue(record[name], value)) return false;
  }
  for (const binding of lookups) {
    const server = record[`_${binding.lookupAttribute}_value`];
    const expected = binding.targetId;
    if (
      expected === null ? server != null : typeof server !== "string" || server.toLowerCase() !== expected
    ) {
      return false;
    }
  }
  return true;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

function sameValue(server: unknown, local: unknown): boolean {
  if (server === local) return true;
  if (server == null || local == null) return server == null && local == null;
  if (typeof server === "string" && typeof local === "string") {
    if (ISO_DATE.test(server) && ISO_DATE.test(local)) return Date.parse(server) === Date.parse(local);
    return false;
  }
  if (typeof server === "number" && typeof local === "string")
    return local.trim() !== "" && Number(local) === server;
  if (typeof server === "string" && typeof local === "number")
    return server.trim() !== "" && Number(server) === local;
  if (typeof server === "object" && typeof local === "object")
    return JSON.stringify(server) === JSON.stringify(local);
  return false;
}
