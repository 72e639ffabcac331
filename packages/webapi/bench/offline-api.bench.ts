// Offline API throughput, latency, burst rate and large-queue open, in Node with fake-indexeddb.
// The body is offline-bench-core.ts (browser-runnable); this file only supplies the environment.
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { runOfflineBench } from "./offline-bench-core.ts";

const suite = "offline api (node, fake-indexeddb)";
const figures = await runOfflineBench({
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  label: "node, fake-indexeddb",
  peakMemoryMB,
  heapMB: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  },
});
for (const f of figures) report({ suite, ...f });
