// `pnpm bench pull`: the download side of sync, over loopback HTTP from the emulator (in its own
// thread, as a server would be) into the Dexie store on fake-indexeddb: a first sync of 50,000
// rows, then a delta of 100 changes, then a delta that finds nothing.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { createPuller, normalizeOfflineTables, transportPullRemote } from "@xrm-offline/sync";
import { createTransport } from "@xrm-offline/transport";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";

const SUITE = "sync pull";
const ROWS = Number(process.env.PULL_BENCH_ROWS ?? 50_000);
const PAGE = Number(process.env.PULL_BENCH_PAGE ?? 2000);
const metadata = bundledMetadata();

// The worker loads TypeScript through tsx's API (a worker does not inherit `--import tsx`).
const serverFile = new URL("./pull-server.ts", import.meta.url).href;
const server = new Worker(
  `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(serverFile)}); });`,
  { eval: true, workerData: { rows: ROWS } },
);
const message = async <T>(): Promise<T> => (await once(server, "message"))[0] as T;
let t = performance.now();
const { url } = await message<{ url: string }>();
process.stderr.write(
  `emulator seeded with ${ROWS} rows in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
);

const store = await OfflineStore.open({
  name: "pull-bench",
  metadata,
  indexedDB: new IDBFactory(),
  IDBKeyRange,
});
const puller = createPuller({
  store,
  remote: transportPullRemote(createTransport({ serverUrl: url })),
  profile: normalizeOfflineTables(["account"], metadata),
  pageSize: PAGE,
});

t = performance.now();
const { result: first, peakMB } = await peakMemoryMB(() => puller.pull());
const firstMs = performance.now() - t;
if (first.rows !== ROWS || (await store.countRows("account")) !== ROWS) {
  throw new Error(`first sync wrote ${first.rows} rows, expected ${ROWS}`);
}
report({
  suite: SUITE,
  name: `first sync, ${ROWS.toLocaleString("en")} rows (page ${PAGE})`,
  value: ROWS / (firstMs / 1000),
  unit: "rows/s",
  note: `${(firstMs / 1000).toFixed(1)} s, ${first.tables[0]!.requests} requests; target ≥ 5,000 rows/s`,
});
report({
  suite: SUITE,
  name: "first sync, peak memory above baseline",
  value: peakMB,
  unit: "MB",
  note: "includes the in-memory IndexedDB holding the rows",
});

server.postMessage({ type: "change" });
await message();
t = performance.now();
const delta = await puller.pull();
const deltaMs = performance.now() - t;
const d = delta.tables[0]!;
if (d.kind !== "delta" || d.rows !== 90 || d.removed !== 10)
  throw new Error(`unexpected delta: ${JSON.stringify(d)}`);
report({
  suite: SUITE,
  name: `delta sync, 100 changes in ${ROWS.toLocaleString("en")} rows`,
  value: deltaMs,
  unit: "ms",
  note: `${d.requests} request; 90 rows written, 10 removed`,
});

t = performance.now();
const idle = await puller.pull();
report({
  suite: SUITE,
  name: "delta sync, nothing changed",
  value: performance.now() - t,
  unit: "ms",
  note: `${idle.tables[0]!.requests} request, no record written`,
});

await store.close();
server.postMessage({ type: "close" });
await once(server, "exit");
