import type { ErrorInfo, OutboxPort, Settlement } from "@xrm-offline/odata";
import type { Clock, RemoteError, RemotePort, RemoteWrite } from "../ports.ts";
import type { BackoffBook } from "./backoff-book.ts";
import { checkConflict } from "./check-conflict.ts";
import { classifyAnswer, isTransient, type Verdict } from "./classify-answer.ts";
import { failureOf } from "./failure-of.ts";
import { type PlannedWrite, RoundPlanner } from "./round-planner.ts";
import { sendWrites } from "./send-writes.ts";

export interface RoundDeps {
  readonly outbox: OutboxPort;
  readonly remote: RemotePort;
  readonly clock: Clock;
  readonly book: BackoffBook;
  readonly conflictDetection: boolean;
  /** Most writes in a round (one `$batch`). */
  readonly batchSize: number;
  /** Outbox entries read per page while planning. */
  readonly pageSize: number;
  /** Entries to send on their own (their `$batch` was refused as a whole). */
  readonly solo: Set<number>;
  /**
   * Runs outbox work one job at a time when rounds overlap (see push-loop.ts): a plan must never
   * read the outbox while another round's answers are being recorded.
   */
  readonly exclusive?: <T>(job: () => Promise<T>) => Promise<T>;
}

export interface RoundReport {
  /** Entries the server acknowledged. */
  readonly pushed: number;
  /** Entries kept as failures (conflicts included). */
  readonly failed: number;
  readonly conflicts: number;
  /** Writes answered "try again later" (they wait for a later cycle). */
  readonly retries: number;
  /** Entries answered "try again" this round: not to be sent again in this cycle. */
  readonly tried: readonly number[];
  /** Last error seen (transient or permanent), for status. */
  readonly lastError: ErrorInfo | null;
  /** A request failed as a whole with a transient error: the remote is backing off. */
  readonly remoteFailed: boolean;
}

/**
 * One round: mark the planned writes attempted, send them, and record every answer in one
 * `settle`. Throws only when the outbox itself fails or `signal` aborts (then nothing is settled:
 * the attempt marks make the next run treat the outcome as unknown, as after a crash).
 */
export async function runRound(
  deps: RoundDeps,
  planned: readonly PlannedWrite[],
  signal: AbortSignal,
): Promise<RoundReport> {
  const exclusive = deps.exclusive ?? ((job) => job());
  const seqs = planned.flatMap((w) => w.entries.map((e) => e.seq));
  await exclusive(() => deps.outbox.markAttempt(seqs));
  signal.throwIfAborted();

  const writes = planned.map((w) => toRemoteWrite(w, deps.conflictDetection));
  const answers = await sendWrites(
    deps.remote,
    writes,
    { batchSize: deps.batchSize, concurrency: 1, solo: (i) => planned[i]!.solo },
    signal,
  );
  signal.throwIfAborted();

  // Waits are measured on the monotonic clock; a failure's time is the wall clock's.
  const now = deps.clock.monotonic();
  const settlements: Settlement[] = [];
  let pushed = 0;
  let failed = 0;
  let conflicts = 0;
  let lastError: ErrorInfo | null = null;
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
        // The request failed as a whole, or its answer can't be read (a captive portal's page, a
        // cut-short `$batch` answer): no per-write backoff, the remote waits; every write of it
        // may have been applied.
        remoteFailed = true;
        deps.book.remoteFailed(now, error.retryAfterMs);
        settlements.push({
          kind: "retry",
          seqs: entrySeqs,
          outcomeUnknown: error.outcomeUnknown || write.outcomeUnknown,
          error: info(error),
        });
      } else {
        // A `$batch` refused as a whole (malformed, too large): nothing says which write is to
        // blame, so each is sent on its own next, and gets its own verdict. An earlier unknown
        // outcome stays marked (sticky), so a duplicate key then still means "ours".
        remoteAnswered = true;
        for (const s of entrySeqs) {
          deps.solo.add(s);
          soloNow.add(s);
        }
        settlements.push({
          kind: "retry",
          seqs: entrySeqs,
          outcomeUnknown: error.outcomeUnknown || write.outcomeUnknown,
          error: info(error),
        });
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
      verdict = await checkConflict(deps.remote, deps.outbox, write, verdict.error, signal);

    if (verdict.kind === "retry") {
      lastError = info(verdict.error);
      const serverError = verdict.error.status >= 500;
      if (deps.book.writeFailed(entrySeqs, now, verdict.error.retryAfterMs, serverError)) {
        verdict = { kind: "failed", errorType: 3, error: verdict.error };
      } else {
        settlements.push({
          kind: "retry",
          seqs: entrySeqs,
          // Once unknown, always unknown: an earlier attempt may still be the one that landed.
          outcomeUnknown: verdict.error.outcomeUnknown || write.outcomeUnknown,
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
        ...(verdict.etag === undefined ? {} : { etag: verdict.etag }),
      });
    } else if (verdict.kind === "failed") {
      failed += entrySeqs.length;
      if (verdict.errorType === 0) conflicts += entrySeqs.length;
      lastError = info(verdict.error);
      const failure = failureOf(
        deps.remote,
        write.operation,
        verdict.error,
        verdict.errorType,
        deps.clock.now(),
      );
      const serverRecord = verdict.serverRecord;
      settlements.push({
        kind: "failed",
        seqs: entrySeqs,
        failure,
        ...(serverRecord === undefined ? {} : { serverRecord }),
      });
    }
  }
  if (remoteAnswered && !remoteFailed) deps.book.remoteAnswered();
  signal.throwIfAborted();
  await exclusive(() => deps.outbox.settle(settlements));
  // Entries answered "try again" wait for a later cycle; entries of a refused `$batch` go again
  // at once, each on its own. Settled entries have left the outbox: not remembering them keeps
  // the engine's memory flat however long the queue.
  const tried = settlements.flatMap((s) => (s.kind === "retry" ? s.seqs.filter((q) => !soloNow.has(q)) : []));
  const retries = settlements.filter((s) => s.kind === "retry").length;
  return { pushed, failed, conflicts, retries, tried, lastError, remoteFailed };
}

/** Entries read past a full round to re-gather merged updates. */
const MAX_MERGE_SCAN = 1000;

/**
 * The writes of the next round: pages through the outbox in seq order until the round is full or
 * the outbox ends. `isHeld`: entries not to send now (in flight, answered "try again" in this
 * cycle); they block what depends on them.
 */
export async function planRound(deps: RoundDeps, isHeld: (seq: number) => boolean): Promise<PlannedWrite[]> {
  const now = deps.clock.monotonic();
  const planner = new RoundPlanner({
    limit: deps.batchSize,
    isHeld: (seq) => isHeld(seq) || deps.book.isHeld(seq, now),
    isSolo: (seq) => deps.solo.has(seq),
  });
  let after = Number.NEGATIVE_INFINITY;
  // Once the round is full, reading goes on only to gather the updates an open unknown-outcome
  // update may have carried before (see RoundPlanner.wantsMerges), and only so far.
  let extra = 0;
  const more = () => !planner.full || (planner.wantsMerges && extra < MAX_MERGE_SCAN);
  while (more()) {
    const page = await deps.outbox.page(after, deps.pageSize);
    for (const entry of page) {
      if (planner.full) extra++;
      planner.offer(entry);
      if (!more()) break;
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
 * No answer, an answer that can't be read (a captive portal answers every request alike),
 * unauthorised, throttled, or a gateway / unavailable answer: says something about the remote,
 * not about the write, so every request waits. A 500 (a plug-in crashed on this record)
 * is the write's own and only holds the write back.
 */
function isRemoteWide(error: RemoteError): boolean {
  return (
    isTransient(error) &&
    (error.status < 500 || error.status === 502 || error.status === 503 || error.status === 504)
  );
}

function info(error: RemoteError): ErrorInfo {
  return { errorCode: error.errorCode, message: error.message };
}
