import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";
import { BehaviorSubject } from "rxjs";
import { endpointsFor, OFFLINE_TABLES } from "../app-config.ts";

export interface BackgroundReplayOptions {
  readonly origin: string;
  /** Whether a tab of the app is open (it replays by itself, on load and on reconnect). */
  readonly hasOpenWindow: () => Promise<boolean>;
  /** Give up (and let the browser schedule the sync again) after this long. */
  readonly budgetMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type BackgroundReplayResult =
  | { readonly kind: "left-to-window" }
  | { readonly kind: "done"; readonly pushed: number; readonly failed: number };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Background Sync job: replay the outbox with no tab open. Uses the public API, like the
 * page; the sync engine's Web Lock keeps it to one runner even if a tab opens meanwhile.
 * Rejects when changes are still waiting at the end of the budget, so the browser tries again.
 */
export async function replayInBackground(options: BackgroundReplayOptions): Promise<BackgroundReplayResult> {
  const sleep = options.sleep ?? wait;
  // A tab that is closing may still be listed for a moment.
  await sleep(300);
  if (await options.hasOpenWindow()) return { kind: "left-to-window" };
  const { serverUrl, databaseName } = endpointsFor(options.origin);
  // The browser fires "sync" when it is online: no need to wait for a probe.
  const api = createWebApi({
    metadata: bundledMetadata(),
    serverUrl,
    databaseName,
    offlineTables: OFFLINE_TABLES,
    connectivity: new BehaviorSubject(true),
  });
  const deadline = Date.now() + (options.budgetMs ?? 150_000);
  let pushed = 0;
  let failed = 0;
  let delay = 1000;
  try {
    for (;;) {
      let pending = Number.POSITIVE_INFINITY;
      try {
        const report = await api.sync.syncNow();
        pushed += report.pushed;
        failed += report.failed;
        pending = report.pending;
      } catch {
        // The server is not reachable yet: try again below.
      }
      if (pending === 0) return { kind: "done", pushed, failed };
      if (Date.now() + delay > deadline) {
        throw new Error(`Background replay: changes still waiting after ${options.budgetMs ?? 150_000} ms`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 15_000);
    }
  } finally {
    await api.close();
  }
}
