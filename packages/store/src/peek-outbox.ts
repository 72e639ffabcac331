/**
 * Reading the outbox page by page. Everything comes from the primary key or an index, so a queue
 * of 100,000 entries is never read whole: a page costs one key range of `limit` rows plus one
 * lookup per distinct dependency.
 */
import type { OutboxEntry, OutboxItem, SyncFailure } from "./store-types.ts";
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
    let page: (OutboxEntry & { failureId?: string })[] = await db.outbox
      .where(":id")
      .above(afterSeq)
      .limit(limit)
      .toArray();
    if (options.includeFailed) {
      const failed: SyncFailure[] = await db.failures
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
    const deps = [...new Set(page.flatMap((e) => e.dependsOn))];
    const present = new Set<number>();
    if (deps.length > 0) {
      const queued = await db.outbox.bulkGet(deps);
      queued.forEach((e) => {
        if (e) present.add(e.seq);
      });
      const wanted = new Set(deps);
      const failed = await db.failures.where("seqs").anyOf(deps).distinct().toArray();
      for (const f of failed) for (const s of f.seqs) if (wanted.has(s)) present.add(s);
    }
    return page.map((e) => ({ ...e, blockedBy: e.dependsOn.filter((d) => present.has(d)) }));
  });
}

export async function outboxCounts(db: XrmDatabase): Promise<{ pending: number; failed: number }> {
  return db.transaction("r", db.outbox, db.failures, async () => ({
    pending: await db.outbox.count(),
    failed: await db.failures.count(),
  }));
}
