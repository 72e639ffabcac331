/**
 * A round's outbox entries read and removed with few IndexedDB requests. In a browser every
 * request is a round trip to the storage process, so a drain is bound by requests per entry, not
 * bytes: a get and a delete per entry cost more than the record write the answer needs. A round's
 * entries are mostly consecutive sequence numbers, so they are read with one range read and
 * removed with one range delete per run of consecutive entries.
 */
import type { OutboxRow } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

export interface OutboxRead {
  /** The queued entries of the asked sequence numbers. */
  readonly rows: ReadonlyMap<number, OutboxRow>;
  /**
   * Every sequence number queued between the lowest and the highest asked, ascending (the
   * range read saw them all), or null when the entries were fetched one by one.
   */
  readonly present: readonly number[] | null;
}

/**
 * The queued entries of `seqs`: one read of their range when it holds at most about twice as
 * many entries as asked for, else one get per entry.
 */
export async function readOutboxEntries(db: XrmDatabase, seqs: readonly number[]): Promise<OutboxRead> {
  const rows = new Map<number, OutboxRow>();
  if (seqs.length === 0) return { rows, present: [] };
  let low = seqs[0]!;
  let high = seqs[0]!;
  for (const s of seqs) {
    if (s < low) low = s;
    if (s > high) high = s;
  }
  if (Number.isSafeInteger(low) && Number.isSafeInteger(high) && high - low < seqs.length * 2 + 16) {
    const all = await db.outbox.where(":id").between(low, high, true, true).toArray();
    const wanted = new Set(seqs);
    for (const e of all) if (wanted.has(e.seq)) rows.set(e.seq, e);
    return { rows, present: all.map((e) => e.seq) };
  }
  const found = await db.outbox.bulkGet([...seqs]);
  for (const e of found) if (e) rows.set(e.seq, e);
  return { rows, present: null };
}

/**
 * Removes the queued entries `seqs` (all of them read by `readOutboxEntries` in the same
 * transaction, which gave `present`): one range delete per run of consecutive queued entries
 * that all go, so an entry that stays is never inside a deleted range.
 */
export async function deleteOutboxEntries(
  db: XrmDatabase,
  seqs: readonly number[],
  present: readonly number[] | null,
): Promise<void> {
  if (seqs.length === 0) return;
  if (present === null) {
    await db.outbox.bulkDelete([...seqs]);
    return;
  }
  const gone = new Set(seqs);
  const runs: [number, number][] = [];
  let start: number | undefined;
  let last = 0;
  for (const seq of present) {
    if (gone.has(seq)) {
      start ??= seq;
      last = seq;
    } else if (start !== undefined) {
      runs.push([start, last]);
      start = undefined;
    }
  }
  if (start !== undefined) runs.push([start, last]);
  await Promise.all(
    runs.map(([a, b]) =>
      a === b ? db.outbox.delete(a) : db.outbox.where(":id").between(a, b, true, true).delete(),
    ),
  );
}
