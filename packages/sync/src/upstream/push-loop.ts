import type { ErrorInfo } from "@xrm-offline/odata";
import { planRound, type RoundDeps, type RoundReport, runRound } from "./push-round.ts";

export interface PushTotals {
  readonly pushed: number;
  readonly failed: number;
  readonly conflicts: number;
  /** Writes answered "try again" (they need a later cycle). */
  readonly retries: number;
  readonly lastError: ErrorInfo | null;
  /** A request failed as a whole with a transient error: the cycle stopped early. */
  readonly remoteFailed: boolean;
}

/**
 * The push of one cycle: rounds until nothing more may go now. Up to `depth` rounds are in flight
 * at once (a pipeline): the next round is planned and sent while the previous one's answers are
 * being recorded, so the store's work overlaps the server's. Entries of a round in flight are held
 * back from planning like failed ones, so what depends on them waits for their answer, and no
 * round ever depends on another in flight. Entries answered "try again" are not sent again in
 * this cycle (their backoff runs on a timer).
 */
export async function pushAll(
  shared: RoundDeps,
  depth: number,
  signal: AbortSignal,
  onRound: (report: RoundReport) => void,
): Promise<PushTotals> {
  // Planning, marking and settling take turns; only the requests overlap. A plan reading the
  // outbox while another round's answers are recorded could see an entry that round is removing,
  // after it has left the in-flight set: it would be sent twice (and, with conflict detection,
  // with a stale ETag).
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(job: () => Promise<T>): Promise<T> => {
    const run = turn.then(job);
    turn = run.catch(() => {});
    return run;
  };
  const deps: RoundDeps = { ...shared, exclusive };
  const inFlight = new Set<number>();
  const tried = new Set<number>();
  const running = new Set<Promise<void>>();
  let pushed = 0;
  let failed = 0;
  let conflicts = 0;
  let retries = 0;
  let lastError: ErrorInfo | null = null;
  let remoteFailed = false;
  let broken: { error: unknown } | null = null;

  const launch = (planned: Awaited<ReturnType<typeof planRound>>) => {
    const seqs = planned.flatMap((w) => w.entries.map((e) => e.seq));
    for (const s of seqs) inFlight.add(s);
    const round: Promise<void> = runRound(deps, planned, signal).then(
      (report) => {
        for (const s of report.tried) tried.add(s);
        pushed += report.pushed;
        failed += report.failed;
        conflicts += report.conflicts;
        retries += report.retries;
        if (report.lastError) lastError = report.lastError;
        if (report.remoteFailed) remoteFailed = true;
        onRound(report);
      },
      (error: unknown) => {
        broken ??= { error };
      },
    );
    running.add(
      round.finally(() => {
        for (const s of seqs) inFlight.delete(s);
      }),
    );
  };

  for (;;) {
    while (!broken && !remoteFailed && !signal.aborted && running.size < depth) {
      let planned: Awaited<ReturnType<typeof planRound>>;
      try {
        planned = await exclusive(() => planRound(deps, (seq) => inFlight.has(seq) || tried.has(seq)));
      } catch (error) {
        broken = { error };
        break;
      }
      if (planned.length === 0) break;
      launch(planned);
    }
    if (running.size === 0) break;
    await Promise.race(
      [...running].map((p) =>
        p.then(() => {
          running.delete(p);
        }),
      ),
    );
    // Wait for the rest when the cycle has to stop, so nothing is left running behind it.
    if (broken || remoteFailed || signal.aborted) {
      await Promise.all(running);
      running.clear();
      break;
    }
  }
  if (broken) throw (broken as { error: unknown }).error;
  signal.throwIfAborted();
  return { pushed, failed, conflicts, retries, lastError, remoteFailed };
}
