import {
  type DiscardResult,
  type OutboxEntry,
  type OutboxPort,
  type Settlement,
  type SyncFailure,
  type WriteOperation,
  xrmError,
} from "@xrm-offline/odata";
import { Subject } from "rxjs";
import { recordKey } from "../upstream/record-key.ts";

interface Row {
  readonly seq: number;
  readonly operation: WriteOperation;
  state: "pending" | "failed";
  attempts: number;
  /** markAttempt'ed and not settled since: a crash here leaves the outcome unknown. */
  inFlight: boolean;
  outcomeUnknown: boolean;
}

/** Lets other promise chains run, as an IndexedDB request would. */
async function yieldTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** What the outbox knows of a local record: its server version, and whether a failure marks it. */
export interface LocalRecordState {
  etag: string | null;
  failed: boolean;
  /** The server's record, when a conflict refreshed it. */
  refreshed?: Readonly<Record<string, unknown>> | null;
}

/**
 * An in-memory OutboxPort with the persistence semantics a real store must have: attempt marks
 * survive a "restart" (a new engine over the same object), acknowledged entries leave only in
 * `settle`. Used by the unit tests and the drain benchmark's network-only figure.
 */
export class MemoryOutbox implements OutboxPort {
  readonly name: string;
  readonly changes$: Subject<void> = new Subject();
  readonly records: Map<string, LocalRecordState> = new Map();
  /** Every settle call, in order (tests look at them). */
  readonly settled: Settlement[][] = [];
  /** How many entries `page` handed out in all (memory-flatness checks). */
  pagedEntries = 0;
  #rows: Row[] = [];
  #failures = new Map<string, SyncFailure>();
  #seq = 0;

  /**
   * Microtask turns `page` and `settle` take, so that overlapping rounds interleave with them the
   * way they would with IndexedDB (tests vary them to shake out races).
   */
  turns = { page: 3, settle: 3 };

  constructor(name = "memory") {
    this.name = name;
  }

  /** Queues a local write, as the store does in the transaction of the record write. */
  enqueue(operation: WriteOperation, notify = false): number {
    const seq = ++this.#seq;
    this.#rows.push({
      seq,
      operation,
      state: "pending",
      attempts: 0,
      inFlight: false,
      outcomeUnknown: false,
    });
    if (notify) this.changes$.next();
    return seq;
  }

  /** Sets the server version a local record is known at (as a pull would). */
  setEtag(entityLogicalName: string, id: string, etag: string | null): void {
    this.#record(recordKey(entityLogicalName, id)).etag = etag;
  }

  /** All rows (tests). */
  rows(): readonly Readonly<Row>[] {
    return this.#rows;
  }

  onOutboxChange(listener: () => void): () => void {
    const subscription = this.changes$.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  async page(afterSeq: number, limit: number): Promise<readonly OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    for (const row of this.#rows) {
      if (row.seq <= afterSeq) continue;
      if (out.length >= limit) break;
      const key = recordKey(row.operation.entityLogicalName, row.operation.id);
      out.push({
        seq: row.seq,
        operation: row.operation,
        state: row.state,
        attempts: row.attempts,
        outcomeUnknown: row.outcomeUnknown || row.inFlight,
        baseEtag: this.records.get(key)?.etag ?? null,
      });
    }
    this.pagedEntries += out.length;
    // Like IndexedDB: the page is a snapshot, and other work (a settle) may run before it arrives.
    await yieldTurns(this.turns.page);
    return out;
  }

  async counts(): Promise<{ pending: number; failed: number }> {
    let pending = 0;
    let failed = 0;
    for (const row of this.#rows) {
      if (row.state === "pending") pending++;
      else failed++;
    }
    return { pending, failed };
  }

  async markAttempt(seqs: readonly number[]): Promise<void> {
    const wanted = new Set(seqs);
    for (const row of this.#rows) {
      if (wanted.has(row.seq)) {
        // Still marked from an attempt that was never settled (a crash): it may have landed.
        if (row.inFlight) row.outcomeUnknown = true;
        row.attempts++;
        row.inFlight = true;
      }
    }
  }

  async settle(settlements: readonly Settlement[]): Promise<void> {
    await yieldTurns(this.turns.settle);
    this.settled.push([...settlements]);
    const bySeq = new Map(this.#rows.map((r) => [r.seq, r]));
    const gone = new Set<number>();
    for (const s of settlements) {
      const rows = s.seqs.flatMap((seq) => bySeq.get(seq) ?? []);
      const operation = rows.at(-1)?.operation;
      if (!operation) continue;
      const key = recordKey(operation.entityLogicalName, operation.id);
      if (s.kind === "acknowledged") {
        for (const seq of s.seqs) gone.add(seq);
        if (operation.kind === "delete") this.records.delete(key);
        else if (s.etag !== undefined) this.#record(key).etag = s.etag;
      } else if (s.kind === "retry") {
        for (const seq of s.seqs) {
          const row = bySeq.get(seq);
          if (!row) continue;
          row.inFlight = false;
          row.outcomeUnknown ||= s.outcomeUnknown;
        }
      } else {
        // Recorded as the engine built it, like the store does.
        const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
        const id = String(seqs[0]);
        this.#failures.set(id, {
          ...s.failure,
          id,
          seqs,
          attempts: Math.max(...rows.map((r) => r.attempts)),
        });
        for (const row of rows) {
          row.inFlight = false;
          row.state = "failed";
        }
        const record = this.#record(key);
        record.failed = true;
        if (s.serverRecord !== undefined) {
          record.refreshed = s.serverRecord;
          const etag = s.serverRecord?.["@odata.etag"];
          record.etag = typeof etag === "string" ? etag : null;
        }
      }
    }
    if (gone.size > 0) this.#rows = this.#rows.filter((r) => !gone.has(r.seq));
  }

  async failures(): Promise<readonly SyncFailure[]> {
    return [...this.#failures.values()];
  }

  async retryFailure(failureId: string): Promise<void> {
    const failure = this.#take(failureId);
    const seqs = new Set(failure.seqs);
    for (const row of this.#rows) if (seqs.has(row.seq)) row.state = "pending";
    this.#unmark(failure);
  }

  async discardFailure(failureId: string): Promise<DiscardResult> {
    const failure = this.#take(failureId);
    const seqs = new Set(failure.seqs);
    this.#rows = this.#rows.filter((r) => !seqs.has(r.seq));
    this.#unmark(failure);
    return { discarded: [...failure.seqs] };
  }

  #take(failureId: string): SyncFailure {
    const failure = this.#failures.get(failureId);
    if (!failure) throw xrmError("ObjectDoesNotExist", `Sync failure ${failureId} does not exist.`);
    this.#failures.delete(failureId);
    return failure;
  }

  #unmark(failure: SyncFailure): void {
    const key = recordKey(failure.entity, failure.recordId);
    const stillFailed = [...this.#failures.values()].some((f) => recordKey(f.entity, f.recordId) === key);
    const record = this.records.get(key);
    if (record && !stillFailed) record.failed = false;
  }

  #record(key: string): LocalRecordState {
    let r = this.records.get(key);
    if (!r) {
      r = { etag: null, failed: false };
      this.records.set(key, r);
    }
    return r;
  }
}
