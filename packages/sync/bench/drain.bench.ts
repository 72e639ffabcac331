// Draining a queue of offline creates to the emulator over loopback HTTP (suite "sync"):
// - the engine (store on fake-indexeddb → planner → $batch with continue-on-error → settle);
// - the same through an in-memory outbox (the network path alone);
// - Workbox-style: one request per entry, peek → send → acknowledge, one after the other;
// - dynamics-web-api's batch (startBatch / create × n / executeBatch), same batch size;
// - peak memory of the engine while draining 10,000 and 100,000 queued creates (flat in length).
// SYNC_BENCH_N=<n> changes the 10,000; SYNC_BENCH_TUNE=1 prints a batch size × concurrency grid.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { bundledMetadata } from "@xrm-offline/metadata";
import { type CreateOperation, renderRequest } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import { createTransport } from "@xrm-offline/transport";
import { DynamicsWebApi } from "dynamics-web-api";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { createStoreOutboxPort } from "../src/adapters/store-outbox-port.ts";
import { createTransportRemotePort } from "../src/adapters/transport-remote-port.ts";
import type { OutboxPort } from "../src/ports.ts";
import { createSyncEngine } from "../src/sync-engine.ts";
import { MemoryOutbox } from "../src/testing/memory-outbox.ts";

const N = Number(process.env.SYNC_BENCH_N ?? 10_000);
const BIG = 100_000;
const suite = "sync";
const metadata = bundledMetadata();

/**
 * The emulator runs in its own process, as a real server would: its CPU and memory are not the
 * client's, and client work (the store) can overlap with server work.
 */
async function startEmulatorProcess(): Promise<{ url: string; origin: string; close: () => void }> {
  const cli = fileURLToPath(new URL("../../../apps/emulator/src/cli.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", "--database", ":memory:"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  process.on("exit", () => child.kill());
  return { url, origin: new URL(url).origin, close: () => child.kill() };
}

const emulator = await startEmulatorProcess();
const transport = createTransport({ serverUrl: emulator.url });
const remote = createTransportRemotePort(transport, { metadata });
const probe = createSyncEngine({
  outbox: new MemoryOutbox(),
  remote,
  connectivity: new BehaviorSubject(true),
});
await probe.close();

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

/**
 * Peak of the live heap (after a full GC, every 10 rounds) above the live heap before the drain:
 * what the engine keeps, not what the collector has not reclaimed yet.
 */
function liveMemory(outbox: OutboxPort): { outbox: OutboxPort; peakMB: () => number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const live = () => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const base = live();
  let peak = base;
  let rounds = 0;
  return {
    outbox: {
      ...outbox,
      settle: async (settlements) => {
        await outbox.settle(settlements);
        if (++rounds % 10 === 0) peak = Math.max(peak, live());
      },
    },
    peakMB: () => (Math.max(peak, live()) - base) / 2 ** 20,
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
    await Promise.all(
      chunk.map((op) => store.write({ operation: op, request: renderRequest(metadata, op) })),
    );
  }
  return store;
}

function memoryOutbox(n: number): MemoryOutbox {
  const outbox = new MemoryOutbox();
  for (let i = 0; i < n; i++) outbox.enqueue(operation(i));
  return outbox;
}

async function drainWithEngine(outbox: OutboxPort, batchSize = 100, concurrency = 1): Promise<number> {
  const engine = createSyncEngine({
    outbox,
    remote,
    connectivity: new BehaviorSubject(true),
    batchSize,
    concurrency,
    retry: { baseMs: 10, capMs: 100 },
  });
  const t0 = performance.now();
  const report = await engine.syncNow();
  const ms = performance.now() - t0;
  await engine.close();
  if (report.pending !== 0 || report.failed !== 0)
    throw new Error(`drain incomplete: ${JSON.stringify(report)}`);
  return ms;
}

/** Workbox's replay loop: take the head entry, send it on its own, remove it on success. */
async function drainOneByOne(store: OfflineStore): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const [entry] = await store.peekOutbox({ limit: 1 });
    if (!entry) break;
    await transport.send(entry.request);
    await store.acknowledge([entry.seq]);
  }
  return performance.now() - t0;
}

/** The same, without a store: one request per write, one after the other. */
async function sendOneByOne(n: number): Promise<number> {
  const requests = Array.from({ length: n }, (_, i) => renderRequest(metadata, operation(i)));
  const t0 = performance.now();
  for (const request of requests) await transport.send(request);
  return performance.now() - t0;
}

async function drainWithDynamicsWebApi(n: number, batchSize: number): Promise<number> {
  const dwa = new DynamicsWebApi({ serverUrl: `${emulator.origin}/`, dataApi: { version: "9.2" } });
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

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const label = N.toLocaleString("en-US");

if (process.env.SYNC_BENCH_TUNE) {
  for (const batchSize of [25, 50, 100, 200, 500]) {
    for (const concurrency of [1, 2, 4]) {
      const ms = await drainWithEngine(memoryOutbox(N), batchSize, concurrency);
      process.stderr.write(`batch ${batchSize} × ${concurrency}: ${rate(N, ms)} rows/s\n`);
    }
  }
}

// Warm-up (JIT, sockets, SQLite statements).
await drainWithEngine(memoryOutbox(2000));
await drainOneByOne(await queuedStore(500));

const storeForEngine = await queuedStore(N);
const engineLive = liveMemory(createStoreOutboxPort(storeForEngine));
const engineRun = await peakMemoryMB(() => drainWithEngine(engineLive.outbox));
await storeForEngine.close();
const engineMs = engineRun.result;
report({
  suite,
  name: `drain ${label} queued creates: engine ($batch of 100, 2 in flight), store on fake-indexeddb`,
  value: Math.round(engineMs),
  unit: "ms",
  note: `${rate(N, engineMs)} rows/s`,
});

const storeForWorkbox = await queuedStore(N);
const oneByOneMs = await drainOneByOne(storeForWorkbox);
await storeForWorkbox.close();
report({
  suite,
  name: `drain ${label} queued creates: one request each (Workbox-style), same store`,
  value: Math.round(oneByOneMs),
  unit: "ms",
  note: `${rate(N, oneByOneMs)} rows/s`,
});
report({
  suite,
  name: "speed-up of the engine over one request each (with the store)",
  value: oneByOneMs / engineMs,
  unit: "×",
  note: "target ≥ 10×",
});

const networkMs = await drainWithEngine(memoryOutbox(N));
report({
  suite,
  name: `send ${label} creates: engine ($batch of 100, 2 in flight), in-memory outbox`,
  value: Math.round(networkMs),
  unit: "ms",
  note: `${rate(N, networkMs)} rows/s; the network path alone`,
});
const singleMs = await sendOneByOne(N);
report({
  suite,
  name: `send ${label} creates: one request each, no store`,
  value: Math.round(singleMs),
  unit: "ms",
  note: `${rate(N, singleMs)} rows/s; ${(singleMs / networkMs).toFixed(1)}× slower than the engine's network path`,
});

const dwaMs = await drainWithDynamicsWebApi(N, 100);
report({
  suite,
  name: `send ${label} creates: dynamics-web-api's batch (100 per $batch), no store`,
  value: Math.round(dwaMs),
  unit: "ms",
  note: `${rate(N, dwaMs)} rows/s; one change set per batch (all-or-nothing)`,
});

const big = await queuedStore(BIG);
const bigLive = liveMemory(createStoreOutboxPort(big));
const bigRun = await peakMemoryMB(() => drainWithEngine(bigLive.outbox));
await big.close();
report({
  suite,
  name: `live heap while draining ${label} queued creates (engine)`,
  value: engineLive.peakMB(),
  unit: "MB",
  note: "peak after GC, above the queued store",
});
report({
  suite,
  name: `live heap while draining ${BIG.toLocaleString("en-US")} queued creates (engine)`,
  value: bigLive.peakMB(),
  unit: "MB",
  note: `flat in queue length: ${(bigLive.peakMB() - engineLive.peakMB()).toFixed(1)} MB more for 10× the queue; ${rate(BIG, bigRun.result)} rows/s`,
});
report({
  suite,
  name: `sampled peak (heap + external, garbage included) draining ${BIG.toLocaleString("en-US")}`,
  value: bigRun.peakMB,
  unit: "MB",
  note: `${label}: ${engineRun.peakMB.toFixed(0)} MB; mostly short-lived garbage of fake-indexeddb`,
});

emulator.close();
