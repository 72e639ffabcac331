/**
 * Reading the outbox page by page. Everything comes from the primary key or an index, so a queue
 * of 100,000 entries is never read whole: a page costs one key range of `limit` rows plus one
 * index lookup for the dependencies of the page.
 */
import type { FailureRow, OutboxItem, OutboxRow } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

export interface PeekOptions {
  /** Page size (default 100). */
  readonly limit?: number;
  /** Only entries with a larger sequence number (default 0: from the start). */
  readonly afterSeq?: number;
  /** Also list failed entries (with `failureId`), in sequence order among the queued ones. */
  readonly includeFailed?: boolean;
}

export async function peekOutbox(db: XrmDatabase, options: PeekOptions = {}): Promise<OutboxItem[]> {
  const limit = Math.max(0, Math.floor(options.limit ?? 100));
  const afterSeq = options.afterSeq ?? 0;
  if (limit === 0) return [];
  return db.transaction("r", db.outbox, db.failures, async () => {
    let page: (OutboxRow & { failureId?: string })[] = await db.outbox
      .where(":id")
      .above(afterSeq)
      .limit(limit)
      .toArray();
    if (options.includeFailed) {
      const failed: FailureRow[] = await db.failures
        .where("seqs")
        .above(afterSeq)
        .distinct()
        .limit(limit)
        .toArray();
      const failedEntries = failed.flatMap((f) =>
        f.entries.filter((e) => e.seq > afterSeq).map((e) => ({ ...e, failureId: f.id })),
      );
      page = [...page, ...failedEntries].sort((a, b) => a.seq - b.seq).slice(0, limit);
    }
    // Resolve the change keys entries wait for to the sequence numbers still present.
    const keys = [...new Set(page.flatMap((e) => e.after))];
    const present = new Map<string, number>();
    if (keys.length > 0) {
      const queued = await db.outbox.where("changeKey").anyOf(keys).toArray();
      for (const e of queued) present.set(e.changeKey, e.seq);
      const wanted = new Set(keys);
      const failed = await db.failures.where("changeKeys").anyOf(keys).distinct().toArray();
      for (const f of failed)
        for (const e of f.entries) if (wanted.has(e.changeKey)) present.set(e.changeKey, e.seq);
    }
    return page.map((e) => ({
      ...e,
      blockedBy: e.after
        .map((k) => present.get(k))
        .filter((s): s is number => s !== undefined)
        .sort((a, b) => a - b),
    }));
  });
}

export async function outboxCounts(db: XrmDatabase): Promise<{ pending: number; failed: number }> {
  return db.transaction("r", db.outbox, db.failures, async () => ({
    pending: await db.outbox.count(),
    failed: await db.failures.count(),
  }));
}
