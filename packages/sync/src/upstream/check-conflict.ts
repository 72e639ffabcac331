import type { OutboxPort } from "@xrm-offline/odata";
import { ERRORS, toErrorCode, type UpdateOperation } from "@xrm-offline/odata";
import type { RemoteError, RemotePort } from "../ports.ts";
import { isTransient, serverHasValues, type Verdict } from "./classify-answer.ts";
import { mergeUpdates } from "./merge-updates.ts";
import { writeKeyOf } from "./record-key.ts";
import type { PlannedWrite } from "./round-planner.ts";

const NOT_FOUND = toErrorCode(ERRORS.ObjectDoesNotExist.code);
const CONNECTION_FAILED = toErrorCode(ERRORS.ConnectionFailed.code);
/** How far to look for the updates an earlier attempt may have carried along. */
const MAX_SCAN = 2000;

/**
 * A 412 to an update sent with its ETag. If an earlier attempt may have been applied, that attempt
 * itself moved the ETag on: when the server's record holds exactly our values, it was ours and
 * this is success. The earlier attempt may also have carried later updates of the record merged
 * in (the round it went in reached further into the outbox than this one), so the server may hold
 * this update followed by some of those: those merges are tried too, in order. Otherwise someone
 * else changed the record: a conflict, server wins, and the server's record goes to the outbox so
 * the local copy is refreshed.
 */
export async function checkConflict(
  remote: RemotePort,
  outbox: OutboxPort,
  write: PlannedWrite,
  error: RemoteError,
  signal: AbortSignal,
): Promise<Exclude<Verdict, { kind: "check-conflict" }>> {
  const op = write.operation;
  if (op.kind !== "update") return { kind: "failed", errorType: 0, error };
  let fetched: Awaited<ReturnType<RemotePort["retrieve"]>>;
  try {
    fetched = await remote.retrieve(op, signal);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    fetched = {
      ok: false,
      error: { status: 0, errorCode: CONNECTION_FAILED, message, retryable: true, outcomeUnknown: false },
    };
  }
  if (!fetched.ok) {
    // The 412 itself was definite (not applied this time); only the look-up failed.
    if (isTransient(fetched.error))
      return { kind: "retry", error: { ...fetched.error, outcomeUnknown: false } };
    return { kind: "failed", errorType: 0, error };
  }
  const record = fetched.record;
  if (record === null) {
    const gone: RemoteError = {
      status: 404,
      errorCode: NOT_FOUND,
      message: `Entity '${op.entityLogicalName}' With Id = ${op.id} Does Not Exist`,
      retryable: false,
      outcomeUnknown: false,
    };
    return { kind: "failed", errorType: 1, error: gone, serverRecord: null };
  }
  if (write.outcomeUnknown) {
    const etag = record["@odata.etag"];
    const ours = { kind: "acknowledged" as const, ...(typeof etag === "string" ? { etag } : {}) };
    if (serverHasValues(record, op.columns, op.lookups)) return ours;
    // This update, then each later unknown-outcome update of the record in turn.
    let merged: UpdateOperation = op;
    for (const later of await laterUpdates(outbox, write)) {
      merged = mergeUpdates(merged, later);
      // The later ones stay queued: re-sent with the ETag acknowledged here, they apply cleanly.
      if (serverHasValues(record, merged.columns, merged.lookups)) return ours;
    }
  }
  return { kind: "failed", errorType: 0, error, serverRecord: record };
}

/** The updates of the same record queued right after `write`, that may have gone with it. */
async function laterUpdates(outbox: OutboxPort, write: PlannedWrite): Promise<UpdateOperation[]> {
  const key = writeKeyOf(write.operation);
  const found: UpdateOperation[] = [];
  let after = write.entries.at(-1)!.seq;
  for (let scanned = 0; scanned < MAX_SCAN; ) {
    const page = await outbox.page(after, 200);
    for (const entry of page) {
      if (writeKeyOf(entry.operation) !== key) continue;
      // A create, a delete or a change never sent ends the run that can have gone along.
      if (entry.operation.kind !== "update" || !entry.outcomeUnknown) return found;
      found.push(entry.operation);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < 200) break;
    after = last.seq;
    scanned += page.length;
  }
  return found;
}
