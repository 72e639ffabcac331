// Browser entry of the Chromium offline benchmark: runs the shared core on the page's IndexedDB.
// Sizes are smaller than in Node: real IndexedDB flushes to disk on every strict transaction.
import { runOfflineBench } from "../../../packages/webapi/bench/offline-bench-core.ts";

(globalThis as unknown as { benchDone: Promise<unknown> }).benchDone = runOfflineBench({
  indexedDB,
  IDBKeyRange,
  label: "headless chromium",
  heapMB: () => {
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return memory ? memory.usedJSHeapSize / 1024 / 1024 : Number.NaN;
  },
  sizes: { awaited: 500, rounds: 3, burst: 1000, burstRounds: 5, queued: 20_000 },
});
