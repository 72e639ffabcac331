import type { OutboxEntry, WriteOperation } from "@xrm-offline/odata";
import { mergeUpdates } from "./merge-updates.ts";
import { refKeysOf, writeKeyOf } from "./record-key.ts";

/** One write of a round: an outbox entry, or several consecutive updates of one record merged. */
export interface PlannedWrite {
  /** The entries it settles, in seq order; the first one is the head. */
  readonly entries: readonly OutboxEntry[];
  readonly operation: WriteOperation;
  /** Any merged entry may already have been applied by the server. */
  readonly outcomeUnknown: boolean;
  /** The server version the change was made on (the head entry's). */
  readonly baseEtag: string | null | undefined;
  /** Send on its own, not in a `$batch` (its batch was rejected as a whole before). */
  readonly solo: boolean;
}

interface Slot {
  entries: OutboxEntry[];
  operation: WriteOperation;
  outcomeUnknown: boolean;
  solo: boolean;
  /** Later updates of the record may still be merged in (nothing left behind in between). */
  open: boolean;
}

export interface RoundPlannerOptions {
  /** Most writes in one round. */
  readonly limit: number;
  /** Entries that must not be sent this round (backing off, or already tried this cycle). */
  readonly isHeld: (seq: number) => boolean;
  /** Entries to send on their own. */
  readonly isSolo: (seq: number) => boolean;
}

/**
 * Picks the writes of one round from the outbox, offered entry by entry in seq order.
 *
 * The rule (docs/sync.md, "Ordering"): a round sends at most one write per record, and nothing in
 * a round depends on anything else in it, so the writes of a round can go in one `$batch` in any
 * order, continue-on-error, and one bad row cannot fail or reorder its neighbours. An entry is
 * left for a later round when an earlier entry still in the outbox (failed, backing off, or
 * itself left behind) or a write already picked for this round
 * - writes the same record (per-record order), or
 * - creates or deletes a record this entry's lookups point at (a record created offline goes
 *   before the records that point at it), or
 * - points at the record this entry creates or deletes.
 * Updates don't change whether a record exists, so pointing at a record only waits for its
 * create/delete, never for an update of it. Left-behind entries block transitively, because they
 * join the blocking sets themselves. Consecutive updates of a picked update are merged into it
 * until anything of that record is left behind.
 *
 * Memory: the sets hold keys of left-behind entries only; the entries themselves are not kept.
 */
export class RoundPlanner {
  readonly #options: RoundPlannerOptions;
  /** Records written by left-behind entries. */
  readonly #blockedWrites = new Set<string>();
  /** Records created or deleted by left-behind entries. */
  readonly #blockedExistence = new Set<string>();
  /** Records pointed at by left-behind entries. */
  readonly #blockedRefs = new Set<string>();
  readonly #slots = new Map<string, Slot>();
  /** Records pointed at by picked writes. */
  readonly #pickedRefs = new Set<string>();

  constructor(options: RoundPlannerOptions) {
    this.#options = options;
  }

  get full(): boolean {
    return this.#slots.size >= this.#options.limit;
  }

  /**
   * A picked update may already have been applied together with later updates of its record (an
   * earlier attempt, merged, whose answer was lost): those must go with it again, or the replay
   * would put an older value back on the server before the newer one comes. While such a slot is
   * open, a full round still takes merges (offer keeps merging when full; it only stops opening
   * slots).
   */
  get wantsMerges(): boolean {
    for (const slot of this.#slots.values()) {
      if (slot.open && slot.outcomeUnknown && slot.operation.kind === "update") return true;
    }
    return false;
  }

  /** Offer the next entry (strictly increasing seq). */
  offer(entry: OutboxEntry): void {
    const op = entry.operation;
    const key = writeKeyOf(op);
    const refs = refKeysOf(op);
    const changesExistence = op.kind !== "update";
    const slot = this.#slots.get(key);
    const sendable =
      entry.state === "pending" && !this.#options.isHeld(entry.seq) && !this.#blockedWrites.has(key);
    const refsClear = refs.every((r) => !this.#blockedExistence.has(r) && !this.#pickedChangesExistence(r));

    if (slot !== undefined) {
      const solo = this.#options.isSolo(entry.seq);
      if (
        sendable &&
        refsClear &&
        slot.open &&
        !slot.solo &&
        // An update that may already be applied goes with only what was sent with it before, so
        // a 412 to its replay can be checked against exactly those values (conflict detection).
        slot.outcomeUnknown === entry.outcomeUnknown &&
        !solo &&
        slot.operation.kind === "update" &&
        op.kind === "update"
      ) {
        slot.entries.push(entry);
        slot.operation = mergeUpdates(slot.operation, op);
        slot.outcomeUnknown ||= entry.outcomeUnknown;
        for (const r of refs) this.#pickedRefs.add(r);
        return;
      }
    } else if (
      sendable &&
      refsClear &&
      !this.full &&
      !(changesExistence && (this.#blockedRefs.has(key) || this.#pickedRefs.has(key)))
    ) {
      this.#slots.set(key, {
        entries: [entry],
        operation: op,
        outcomeUnknown: entry.outcomeUnknown,
        solo: this.#options.isSolo(entry.seq),
        open: true,
      });
      for (const r of refs) this.#pickedRefs.add(r);
      return;
    }
    // Left behind: it blocks whatever comes later and touches what it touches.
    if (slot !== undefined) slot.open = false;
    this.#blockedWrites.add(key);
    if (changesExistence) this.#blockedExistence.add(key);
    for (const r of refs) this.#blockedRefs.add(r);
  }

  /** The writes picked so far, in the seq order of their heads. */
  planned(): PlannedWrite[] {
    return [...this.#slots.values()].map((s) => ({
      entries: s.entries,
      operation: s.operation,
      outcomeUnknown: s.outcomeUnknown,
      baseEtag: s.entries[0]?.baseEtag,
      solo: s.solo,
    }));
  }

  #pickedChangesExistence(key: string): boolean {
    const kind = this.#slots.get(key)?.operation.kind;
    return kind === "create" || kind === "delete";
  }
}
