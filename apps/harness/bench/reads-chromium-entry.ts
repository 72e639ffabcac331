// Browser entry of the Chromium local-read benchmark: the shared core on the page's IndexedDB.
import { runReadsBench } from "../../../packages/store/bench/local-reads-core.ts";

(globalThis as unknown as { benchDone: Promise<unknown> }).benchDone = runReadsBench({
  indexedDB,
  IDBKeyRange,
  rows: 100_000,
  runs: 30,
  scanRuns: 3,
  log: (line) => console.log(line),
});
