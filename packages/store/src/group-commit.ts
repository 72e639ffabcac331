/**
 * Group commit. Form scripts fire many writes without awaiting each (a loop of createRecord
 * calls). Every call submitted while a transaction is in flight waits for it, then all of them
 * are committed together in the next transaction; each call still settles only with its own
 * outcome, after the transaction holding its change has committed.
 *
 *   submit ─► queue ──(microtask; or previous group committed)──► commit(group) ─► settle each
 *                                                                   │ throws ExcludeItems
 *                                                                   ├─► reject those, commit the rest again
 *                                                                   │ throws anything else
 *                                                                   └─► commit each item on its own
 *
 * A call rejected at commit time never takes the others down: the group is committed again
 * without it (its error is known: ExcludeItems), or, when the failure cannot be pinned on one
 * item, every item is committed on its own so only the culprit fails.
 */

export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

/** Thrown by a commit function to abort the transaction and retry without some items. */
export class ExcludeItems extends Error {
  /** Position in the group → the error its call rejects with. */
  readonly excluded: ReadonlyMap<number, unknown>;
  constructor(excluded: ReadonlyMap<number, unknown>) {
    super(`commit retried without ${excluded.size} item(s)`);
    this.excluded = excluded;
  }
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitter<T, R> {
  readonly #commit: (items: readonly T[]) => Promise<readonly Outcome<R>[]>;
  readonly #maxGroup: number;
  readonly #mapError: (error: unknown) => unknown;
  #queue: Pending<T, R>[] = [];
  #draining: Promise<void> | undefined;
  /** Groups committed so far (for tests and benchmarks). */
  groups = 0;

  constructor(
    commit: (items: readonly T[]) => Promise<readonly Outcome<R>[]>,
    options: { maxGroup?: number; mapError?: (error: unknown) => unknown } = {},
  ) {
    this.#commit = commit;
    this.#maxGroup = options.maxGroup ?? 1000;
    this.#mapError = options.mapError ?? ((e) => e);
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // Start on a microtask so calls made in the same synchronous loop form one group.
      this.#draining ??= Promise.resolve().then(() => this.#drain());
    });
  }

  /** Resolves when every submitted item has settled. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, this.#maxGroup);
        await this.#commitGroup(group);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #commitGroup(group: readonly Pending<T, R>[]): Promise<void> {
    if (group.length === 0) return;
    let outcomes: readonly Outcome<R>[];
    try {
      this.groups++;
      outcomes = await this.#commit(group.map((p) => p.item));
    } catch (error) {
      if (error instanceof ExcludeItems && error.excluded.size > 0) {
        const rest: Pending<T, R>[] = [];
        group.forEach((p, i) => {
          if (error.excluded.has(i)) p.reject(this.#mapError(error.excluded.get(i)));
          else rest.push(p);
        });
        return this.#commitGroup(rest);
      }
      if (group.length === 1) {
        group[0]?.reject(this.#mapError(error));
        return;
      }
      for (const p of group) await this.#commitGroup([p]);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i];
      if (!o) p.reject(this.#mapError(new Error("commit returned no outcome")));
      else if (o.ok) p.resolve(o.value);
      else p.reject(this.#mapError(o.error));
    });
  }
}
