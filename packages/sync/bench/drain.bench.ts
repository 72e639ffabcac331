// `pnpm bench drain` (suite "sync"): draining a queue of offline creates to the emulator over
// loopback HTTP, the emulator in its own process as a real server would be.
// - network path: the engine ($batch of 100, 2 rounds in flight) over an in-memory outbox, vs one
//   request per write, vs dynamics-web-api's batch;
// - with the store (fake-indexeddb): the engine vs Workbox's replay loop (peek → send → remove);
// - the same comparison with 20 ms of latency per request (a good phone network);
// - the engine's live heap while draining 10,000 and 100,000 queued creates (flat in queue length).
// SYNC_BENCH_N=<n> changes the 10,000; SYNC_BENCH_TUNE=1 prints a batch size × concurrency grid.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { type CreateOperation, type OutboxPort, renderRequest } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import { createTransport, type Transport } from "@xrm-offline/transport";
import { DynamicsWebApi } from "dynamics-web-api";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { report } from "../../../scripts/bench-report.ts";
import { createTransportRemotePort } from "../src/adapters/transport-remote-port.ts";
import type { RemotePort } from "../src/ports.ts";
import { createSyncEngine } from "../src/sync-engine.ts";
import { MemoryOutbox } from "../src/testing/memory-outbox.ts";

const N = Number(process.env.SYNC_BENCH_N ?? 10_000);
const BIG = 100_000;
const SLOW_N = 1_000;
const LATENCY_MS = 20;
const suite = "sync";
const metadata = bundledMetadata();
const label = N.toLocaleString("en-US");
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

interface Server {
  readonly url: string;
  readonly origin: string;
  readonly transport: Transport;
  readonly remote: RemotePort;
  close(): void;
}

/** The emulator CLI in a child process: its CPU and memory are not the client's. */
async function startServer(extra: string[] = []): Promise<Server> {
  const cli = fileURLToPath(new URL("../../emulator/src/cli.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", cli, "--port", "0", "--database", ":memory:", ...extra],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  process.on("exit", () => child.kill());
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const transport = createTransport({ serverUrl: url });
  return {
    url,
    origin: new URL(url).origin,
    transport,
    remote: createTransportRemotePort(transport, { metadata }),
    close: () => child.kill(),
  };
}

function operation(i: number): CreateOperation {
  return {
    kind: "create",
    entityLogicalName: "account",
    entitySetName: "accounts",
    id: randomUUID(),
    columns: { name: `Account ${i}`, telephone1: "555-0100", revenue: 1000 + i },
    lookups: [],
    deepInsert: [],
  };
}

let stores = 0;
async function queuedStore(n: number): Promise<OfflineStore> {
  const store = await OfflineStore.open({
    name: `drain-${++stores}`,
    metadata,
    indexedDB: new IDBFactory(),
    IDBKeyRange,
  });
  for (let i = 0; i < n; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, n - i) }, (_, k) => operation(i + k));
    await Promise.all(chunk.map((op) => store.write({ operation: op })));
  }
  return store;
}

function memoryOutbox(n: number): MemoryOutbox {
  const outbox = new MemoryOutbox();
  outbox.turns = { page: 0, settle: 0 };
  for (let i = 0; i < n; i++) outbox.enqueue(operation(i));
  return outbox;
}

async function drainWithEngine(server: Server, outbox: OutboxPort, batchSize = 100, concurrency = 2) {
  const engine = createSyncEngine({
    outbox,
    remote: server.remote,
    connectivity: new BehaviorSubject(true),
    batchSize,
    concurrency,
    retry: { baseMs: 10, capMs: 100 },
  });
  const t0 = performance.now();
  const result = await engine.syncNow();
  const ms = performance.now() - t0;
  await engine.close();
  if (result.pending !== 0 || result.failed !== 0)
    throw new Error(`drain incomplete: ${JSON.stringify(result)}`);
  return ms;
}

/** Workbox's replay loop: take the head entry, send it on its own, remove it on success. */
async function drainOneByOne(server: Server, store: OfflineStore): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const [entry] = await store.peekOutbox({ limit: 1 });
    if (!entry) break;
    await server.transport.send(renderRequest(metadata, entry.operation));
    await store.settle([{ kind: "acknowledged", seqs: [entry.seq] }]);
  }
  return performance.now() - t0;
}

/** One request per write, one after the other, no store. */
async function sendOneByOne(server: Server, n: number): Promise<number> {
  const requests = Array.from({ length: n }, (_, i) => renderRequest(metadata, operation(i)));
  const t0 = performance.now();
  for (const request of requests) await server.transport.send(request);
  return performance.now() - t0;
}

async function dynamicsWebApiBatches(server: Server, n: number, batchSize: number): Promise<number> {
  const dwa = new DynamicsWebApi({ serverUrl: `${server.origin}/`, dataApi: { version: "9.2" } });
  const ops = Array.from({ length: n }, (_, i) => operation(i));
  const t0 = performance.now();
  for (let i = 0; i < n; i += batchSize) {
    dwa.startBatch();
    for (const op of ops.slice(i, i + batchSize)) {
      void dwa.create({ collection: "accounts", data: { accountid: op.id, ...op.columns } });
    }
    await dwa.executeBatch();
  }
  return performance.now() - t0;
}

/** Median of `runs` timings (the machine is shared; one run is noisy). */
async function median(runs: number, f: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await f());
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/**
 * The engine's own live heap while it drains: sampled after a full GC every `every` rounds, minus
 * the live heap before the drain (which holds the queued store). Never below 0. (The GCs slow the
 * drain down: timings come from separate runs.)
 */
async function liveHeapWhileDraining(server: Server, store: OfflineStore, every: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const live = () => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const port = store.outboxPort();
  const before = live();
  let peak = before;
  let rounds = 0;
  const outbox: OutboxPort = {
    ...port,
    settle: async (settlements) => {
      await port.settle(settlements);
      if (++rounds % every === 0) peak = Math.max(peak, live());
    },
  };
  const ms = await drainWithEngine(server, outbox);
  const after = live();
  return {
    ms,
    extraMB: Math.max(0, Math.max(peak, after) - before) / 2 ** 20,
    beforeMB: before / 2 ** 20,
    peakMB: Math.max(peak, after) / 2 ** 20,
  };
}

const server = await startServer();

if (process.env.SYNC_BENCH_TUNE) {
  await drainWithEngine(server, memoryOutbox(N)); // warm-up
  for (const batchSize of [25, 50, 100, 200, 500]) {
    for (const concurrency of [1, 2, 4]) {
      const ms = await median(3, () => drainWithEngine(server, memoryOutbox(N), batchSize, concurrency));
      process.stderr.write(`batch ${batchSize} × ${concurrency}: ${rate(N, ms)} rows/s\n`);
    }
  }
  server.close();
  process.exit(0);
}

// Warm-up (JIT, sockets, the emulator's statements).
await drainWithEngine(server, memoryOutbox(2000));
await sendOneByOne(server, 300);
await drainOneByOne(server, await queuedStore(300));

// ── Network path ──────────────────────────────────────────────────────────────────────────────
const networkMs = await median(3, () => drainWithEngine(server, memoryOutbox(N)));
const singleMs = await median(3, () => sendOneByOne(server, N));
const dwaMs = await median(3, () => dynamicsWebApiBatches(server, N, 100));
report({
  suite,
  name: `send ${label} creates: engine ($batch of 100, 2 in flight), in-memory outbox`,
  value: Math.round(networkMs),
  unit: "ms",
  note: `${rate(N, networkMs)} rows/s; median of 3`,
});
report({
  suite,
  name: `send ${label} creates: one request each, no store`,
  value: Math.round(singleMs),
  unit: "ms",
  note: `${rate(N, singleMs)} rows/s; median of 3`,
});
report({
  suite,
  name: `send ${label} creates: dynamics-web-api's batch (100 per $batch)`,
  value: Math.round(dwaMs),
  unit: "ms",
  note: `${rate(N, dwaMs)} rows/s; one change set per batch (all-or-nothing); median of 3`,
});
report({
  suite,
  name: "speed-up over one request each, network path (loopback)",
  value: singleMs / networkMs,
  unit: "×",
  note: "target ≥ 10×",
});

// ── With the store ────────────────────────────────────────────────────────────────────────────
const engineStore = await queuedStore(N);
const engineMs = await drainWithEngine(server, engineStore.outboxPort());
await engineStore.close();
const workboxStore = await queuedStore(N);
const workboxMs = await drainOneByOne(server, workboxStore);
await workboxStore.close();
report({
  suite,
  name: `drain ${label} queued creates: engine, store on fake-indexeddb`,
  value: Math.round(engineMs),
  unit: "ms",
  note: `${rate(N, engineMs)} rows/s`,
});
report({
  suite,
  name: `drain ${label} queued creates: one request each (Workbox-style), same store`,
  value: Math.round(workboxMs),
  unit: "ms",
  note: `${rate(N, workboxMs)} rows/s`,
});
report({
  suite,
  name: "speed-up over one request each, with the store (loopback)",
  value: workboxMs / engineMs,
  unit: "×",
  note: "target ≥ 10×; bounded by the store's per-row cost",
});

// ── 20 ms per request ─────────────────────────────────────────────────────────────────────────
const slow = await startServer(["--latency", String(LATENCY_MS)]);
const slowEngineStore = await queuedStore(SLOW_N);
const slowEngineMs = await drainWithEngine(slow, slowEngineStore.outboxPort());
const slowWorkboxStore = await queuedStore(SLOW_N);
const slowWorkboxMs = await drainOneByOne(slow, slowWorkboxStore);
slow.close();
report({
  suite,
  name: `speed-up over one request each, with the store, ${LATENCY_MS} ms per request`,
  value: slowWorkboxMs / slowEngineMs,
  unit: "×",
  note: `${SLOW_N.toLocaleString("en-US")} creates: ${Math.round(slowEngineMs)} ms vs ${Math.round(slowWorkboxMs)} ms`,
});

// ── Memory ────────────────────────────────────────────────────────────────────────────────────
const smallRun = await liveHeapWhileDraining(server, await queuedStore(N), 10);
const bigRun = await liveHeapWhileDraining(server, await queuedStore(BIG), 50);
report({
  suite,
  name: `engine's live heap while draining ${label} queued creates`,
  value: smallRun.extraMB,
  unit: "MB",
  note: `peak after GC above the start; start ${smallRun.beforeMB.toFixed(0)} MB (the queued store), peak ${smallRun.peakMB.toFixed(0)} MB`,
});
report({
  suite,
  name: `engine's live heap while draining ${BIG.toLocaleString("en-US")} queued creates`,
  value: bigRun.extraMB,
  unit: "MB",
  note: `start ${bigRun.beforeMB.toFixed(0)} MB (the queued store), peak ${bigRun.peakMB.toFixed(0)} MB: flat in queue length`,
});

server.close();
