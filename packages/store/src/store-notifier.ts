/**
 * What changed: local writes, sync answers, failure actions, pulled rows, and files of file and
 * image columns set, retried or discarded (`files`: they are not in the outbox, but the engine
 * uploads them and counts them in status$).
 */
export type StoreChange = "write" | "settle" | "failure" | "pull" | "files";

/**
 * Change notifications of one database: to listeners in this tab, and (where BroadcastChannel
 * exists) to the other tabs and workers that have the same database open.
 */
export class StoreNotifier {
  readonly #channelName: string;
  readonly #listeners = new Set<(change: StoreChange) => void>();
  #channel: BroadcastChannel | undefined;
  #closed = false;

  constructor(channelName: string) {
    this.#channelName = channelName;
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    this.#open();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(change: StoreChange): void {
    this.#dispatch(change);
    this.#open()?.postMessage(change);
  }

  close(): void {
    this.#closed = true;
    this.#channel?.close();
    this.#channel = undefined;
    this.#listeners.clear();
  }

  /** The cross-tab channel, opened on first use. */
  #open(): BroadcastChannel | undefined {
    if (this.#channel || this.#closed || typeof BroadcastChannel !== "function") return this.#channel;
    const channel = new BroadcastChannel(this.#channelName);
    channel.onmessage = (event: MessageEvent<unknown>) => this.#dispatch(event.data as StoreChange);
    // Node: don't keep the process alive for it.
    (channel as { unref?: () => void }).unref?.();
    this.#channel = channel;
    return channel;
  }

  #dispatch(change: StoreChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's bug must not fail a committed change.
      }
    }
  }
}
