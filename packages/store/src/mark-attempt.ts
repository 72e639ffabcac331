import { readInFlight, writeInFlight } from "./in-flight.ts";
import type { OutboxRow } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/**
 * Persists, before a round's request leaves, that `seqs` are being sent: one write of the
 * in-flight list (in-flight.ts), whatever the size of the round; the entries themselves are not
 * rewritten. Nothing else: when to try again is the engine's in-memory backoff.
 *
 * Entries on the list that are not `own` (the caller's rounds still in flight) were left there
 * by a runner that died before recording the answer (the engine runs under a lock, so no other
 * runner is live): whatever it sent may have been applied. They are taken off the list with their
 * attempt counted and their outcome unknown for good (sticky), in the same transaction.
 */
export async function markAttempt(
  db: XrmDatabase,
  seqs: readonly number[],
  own: ReadonlySet<number>,
): Promise<void> {
  await db.transaction("rw", db.meta, db.outbox, async () => {
    const current = await readInFlight(db);
    const stale = new Set([...current.sent, ...current.counted].filter((s) => !own.has(s)));
    if (stale.size > 0) {
      const entries = await db.outbox.bulkGet([...stale]);
      const next = entries.flatMap((e): OutboxRow[] =>
        e ? [{ ...e, attempts: e.attempts + (current.sent.has(e.seq) ? 1 : 0), outcomeUnknown: true }] : [],
      );
      if (next.length > 0) await db.outbox.bulkPut(next);
    }
    await writeInFlight(db, [...[...current.sent].filter((s) => own.has(s)), ...seqs]);
  });
}
