import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import type {
  Clock,
  OutboxPort,
  RemoteError,
  RemotePort,
  RemoteWrite,
  Settlement,
  SyncErrorInfo,
} from "../ports.ts";
import type { BackoffBook } from "./backoff-book.ts";
import { classifyAnswer, isTransient, serverHasValues, type Verdict } from "./classify-answer.ts";
import { failureOf } from "./failure-of.ts";
import { type PlannedWrite, RoundPlanner } from "./round-planner.ts";
import { sendWrites } from "./send-writes.ts";

export interface RoundDeps {
  readonly outbox: OutboxPort;
  readonly remote: RemotePort;
  readonly clock: Clock;
  readonly book: BackoffBook;
  readonly conflictDetection: boolean;
  readonly batchSize: number;
  readonly concurrency: number;
  /** Outbox entries read per page while planning. */
  readonly pageSize: number;
  /** Entries not to send this round (already tried in this cycle). */
  readonly tried: ReadonlySet<number>;
  /** Entries to send on their own (their `$batch` was refused as a whole). */
  readonly solo: Set<number>;
}

export interface RoundReport {
  /** Entries the server acknowledged. */
  readonly pushed: number;
  /** Entries kept as failures (conflicts included). */
  readonly failed: number;
  readonly conflicts: number;
  /** Writes answered "try again later" (they wait for a later cycle). */
  readonly retries: number;
  /** Entries sent this round that are not to be sent again in this cycle. */
  readonly tried: readonly number[];
  /** Last error seen (transient or permanent), for status. */
  readonly lastError: SyncErrorInfo | null;
  /** A request failed as a whole with a transient error: the remote is backing off. */
  readonly remoteFailed: boolean;
}

/**
 * One round: plan the writes that may go now, mark them attempted, send them, and record every
 * answer in one `settle`. Returns null when nothing may be sent. Throws only when the outbox
 * itself fails or `signal` aborts (then nothing is settled: the attempt marks make the next run
 * treat the outcome as unknown, as after a crash).
 */
export async function pushRound(deps: RoundDeps, signal: AbortSignal): Promise<RoundReport | null> {
  const planned = await plan(deps);
  if (planned.length === 0) return null;
  const seqs = planned.flatMap((w) => w.entries.map((e) => e.seq));
  await deps.outbox.markAttempt(seqs);
  signal.throwIfAborted();

  const writes = planned.map((w) => toRemoteWrite(w, deps.conflictDetection));
  const answers = await sendWrites(
    deps.remote,
    writes,
    {
      batchSize: deps.batchSize,
      concurrency: deps.concurrency,
      solo: (i) => planned[i]!.solo,
    },
    signal,
  );
  signal.throwIfAborted();

  const now = deps.clock.now();
  const settlements: Settlement[] = [];
  let pushed = 0;
  let failed = 0;
  let conflicts = 0;
  let lastError: SyncErrorInfo | null = null;
  let remoteFailed = false;
  let remoteAnswered = false;
  const soloNow = new Set<number>();

  for (const [i, write] of planned.entries()) {
    const answer = answers[i]!;
    const entrySeqs = write.entries.map((e) => e.seq);
    let verdict: Verdict;
    if (answer.kind === "request-failed") {
      const error = answer.error;
      lastError = info(error);
      if (isTransient(error)) {
        // The request failed as a whole: no per-write backoff, the remote waits.
        remoteFailed = true;
        deps.book.remoteFailed(now, error.retryAfterMs);
        settlements.push({
          kind: "retry",
          seqs: entrySeqs,
          outcomeUnknown: error.outcomeUnknown,
          error: info(error),
        });
      } else {
        // A `$batch` refused as a whole (malformed, too large): nothing says which write is to
        // blame, so each is sent on its own next, and gets its own verdict.
        remoteAnswered = true;
        for (const s of entrySeqs) {
          deps.solo.add(s);
          soloNow.add(s);
        }
        settlements.push({ kind: "retry", seqs: entrySeqs, outcomeUnknown: false, error: info(error) });
      }
      continue;
    }
    const result = answer.result;
    if (!result.ok && answer.single && isRemoteWide(result.error)) {
      remoteFailed = true;
      deps.book.remoteFailed(now, result.error.retryAfterMs);
    } else {
      remoteAnswered = true;
    }
    verdict = classifyAnswer(write, result, writes[i]!.ifMatch !== undefined && writes[i]!.ifMatch !== "*");
    if (verdict.kind === "check-conflict")
      verdict = await checkConflict(deps.remote, write, verdict.error, signal);

    if (verdict.kind === "retry") {
      lastError = info(verdict.error);
      const serverError = verdict.error.status >= 500;
      if (deps.book.writeFailed(entrySeqs, now, verdict.error.retryAfterMs, serverError)) {
        verdict = { kind: "failed", errorType: 3, error: verdict.error };
      } else {
        settlements.push({
          kind: "retry",
          seqs: entrySeqs,
          outcomeUnknown: verdict.error.outcomeUnknown,
          error: info(verdict.error),
        });
        continue;
      }
    }
    deps.book.writeSettled(entrySeqs);
    for (const s of entrySeqs) deps.solo.delete(s);
    if (verdict.kind === "acknowledged") {
      pushed += entrySeqs.length;
      settlements.push({
        kind: "acknowledged",
        seqs: entrySeqs,
        operation: write.operation,
        ...(verdict.etag === undefined ? {} : { etag: verdict.etag }),
      });
    } else if (verdict.kind === "failed") {
      failed += entrySeqs.length;
      if (verdict.errorType === 0) conflicts += entrySeqs.length;
      lastError = info(verdict.error);
      const failure = failureOf(write.operation, verdict.error, verdict.errorType, now);
      const serverRecord = verdict.serverRecord;
      settlements.push({
        kind: "failed",
        seqs: entrySeqs,
        operation: write.operation,
        failure,
        ...(serverRecord === undefined ? {} : { serverRecord }),
      });
    }
  }
  if (remoteAnswered && !remoteFailed) deps.book.remoteAnswered();
  signal.throwIfAborted();
  await deps.outbox.settle(settlements);
  // Entries of a refused `$batch` go again at once, each on its own; the others wait a cycle.
  const tried = seqs.filter((s) => !soloNow.has(s));
  const retries = settlements.filter((s) => s.kind === "retry").length;
  return { pushed, failed, conflicts, retries, tried, lastError, remoteFailed };
}

/** Pages through the outbox in seq order until the round is full or the outbox ends. */
async function plan(deps: RoundDeps): Promise<PlannedWrite[]> {
  const now = deps.clock.now();
  const planner = new RoundPlanner({
    limit: deps.batchSize * deps.concurrency,
    isHeld: (seq) => deps.tried.has(seq) || deps.book.isHeld(seq, now),
    isSolo: (seq) => deps.solo.has(seq),
  });
  let after = -Infinity;
  while (!planner.full) {
    const page = await deps.outbox.page(after, deps.pageSize);
    for (const entry of page) {
      planner.offer(entry);
      if (planner.full) break;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < deps.pageSize) break;
    after = last.seq;
  }
  return planner.planned();
}

function toRemoteWrite(write: PlannedWrite, conflictDetection: boolean): RemoteWrite {
  const op = write.operation;
  if (op.kind !== "update") return { operation: op, returnEtag: conflictDetection && op.kind === "create" };
  // Without an ETag to compare (never seen the server's version), `*` still refuses to resurrect.
  const etag = conflictDetection && write.baseEtag ? write.baseEtag : "*";
  return { operation: op, ifMatch: etag, returnEtag: conflictDetection };
}

/**
 * No answer, unauthorised, throttled, or a gateway / unavailable answer: says something about the
 * remote, not about the write, so every request waits. A 500 (a plug-in crashed on this record)
 * is the write's own and only holds the write back.
 */
function isRemoteWide(error: RemoteError): boolean {
  return (
    isTransient(error) &&
    (error.status < 500 || error.status === 502 || error.status === 503 || error.status === 504)
  );
}

const NOT_FOUND = toErrorCode(ERRORS.ObjectDoesNotExist.code);
const CONNECTION_FAILED = toErrorCode(ERRORS.ConnectionFailed.code);

type CheckedVerdict = Exclude<Verdict, { kind: "check-conflict" }>;

/**
 * A 412 to an update sent with its ETag. If an earlier attempt may have been applied, that attempt
 * itself moved the ETag on: when the server's record holds exactly our values, it was ours and
 * this is success. Otherwise someone else changed the record: a conflict, server wins, and the
 * server's record goes to the outbox so the local copy is refreshed.
 */
async function checkConflict(
  remote: RemotePort,
  write: PlannedWrite,
  error: RemoteError,
  signal: AbortSignal,
): Promise<CheckedVerdict> {
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
  if (write.outcomeUnknown && serverHasValues(record, op.columns, op.lookups)) {
    const etag = record["@odata.etag"];
    return typeof etag === "string" ? { kind: "acknowledged", etag } : { kind: "acknowledged" };
  }
  return { kind: "failed", errorType: 0, error, serverRecord: record };
}

function info(error: RemoteError): SyncErrorInfo {
  return { errorCode: error.errorCode, message: error.message };
}
