import type { XrmDatabase } from "./xrm-database.ts";

/**
 * attempts + 1 on each queued entry of `seqs` (entries no longer queued are skipped). Nothing
 * else: when to try again is the engine's in-memory backoff, and an unknown outcome is recorded
 * by the settlement that learns of it.
 */
export async function markAttempt(db: XrmDatabase, seqs: readonly number[]): Promise<void> {
  await db.transaction("rw", db.outbox, async () => {
    const entries = await db.outbox.bulkGet([...seqs]);
    const next = entries.flatMap((e) => (e ? [{ ...e, attempts: e.attempts + 1 }] : []));
    if (next.length > 0) await db.outbox.bulkPut(next);
  });
}
