// `pnpm bench local-reads`: index-backed local reads in Node with fake-indexeddb, next to a full
// scan of the same table. The body is local-reads-core.ts (also run in headless Chromium by
// apps/harness/bench/reads-chromium.bench.ts); fake-indexeddb's speed is not a browser's, so the
// figure that carries over is the ratio.
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { report } from "../../../scripts/bench-report.ts";
import { runReadsBench } from "./local-reads-core.ts";

const suite = "local reads (node, fake-indexeddb)";
const figures = await runReadsBench({
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  rows: Number(process.env.READS_BENCH_ROWS ?? 100_000),
  runs: 30,
  scanRuns: 3,
  log: (line) => process.stderr.write(`${line}\n`),
});
for (const f of figures) report({ suite, ...f });
