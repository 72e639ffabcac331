/**
 * The offline API benchmark body. Runs wherever there is an IDBFactory: Node with fake-indexeddb
 * (offline-api.bench.ts) or a browser (the harness passes `indexedDB`). No Node APIs here.
 *
 * Baselines write exactly the rows our API wrote (read back from its database), so the ratios
 * measure our layer — validation, lookups, group commit, bookkeeping — and nothing else:
 * - per awaited call: raw Dexie, one transaction per call with the record and its outbox entry;
 * - calls fired at once: raw IndexedDB, the same rows in 1,000-row transactions.
 */

import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { normalizeWrite, renderRequest } from "@xrm-offline/odata";
import type { OutboxRow, StoredRecord } from "@xrm-offline/store";
import { OfflineStore, XrmDatabase } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { createWebApi } from "../src/create-web-api.ts";

export interface BenchEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  /** Where it runs, for the report ("node, fake-indexeddb", "chromium"). */
  readonly label: string;
  /** Peak memory above baseline while `fn` runs (Node: heap + external), if measurable. */
  readonly peakMemoryMB?: <T>(fn: () => Promise<T>) => Promise<{ result: T; peakMB: number }>;
  /** Current heap in MB, if measurable. */
  readonly heapMB?: () => number;
  /** Sizes (defaults: 2,000 awaited calls × 3 rounds, 1,000 fired at once × 9 rounds, 100,000 queued). */
  readonly sizes?: {
    awaited?: number;
    rounds?: number;
    burst?: number;
    burstRounds?: number;
    queued?: number;
  };
}

export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

let dbCounter = 0;
const freshName = (what: string) => `bench-${what}-${++dbCounter}`;

/** Deletes a (closed) database, so earlier rounds' data doesn't weigh on later ones. */
function drop(env: BenchEnvironment, name: string): Promise<void> {
  return new Promise((resolve) => {
    const r = env.indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

function data(i: number) {
  return {
    name: `Sample Account ${i}`,
    creditonhold: false,
    address1_latitude: 47.639583,
    description: "This is the description of the sample account",
    revenue: 5000000,
    accountcategorycode: 1,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** What our API wrote to database `name`: its record rows and outbox entries, in call order. */
async function rowsOf(env: BenchEnvironment, name: string) {
  const store = await OfflineStore.open({ name, metadata: bundledMetadata(), ...env });
  const records = await databaseOf(store).records.toArray();
  const outbox = await databaseOf(store).outbox.toArray();
  await store.close();
  await drop(env, name);
  const byId = new Map(records.map((r) => [r._id, r]));
  return outbox.map((e) => ({ record: byId.get(e.recordId)!, entry: e }));
}

type RowPair = { readonly record: StoredRecord; readonly entry: OutboxRow };

/** `count` createRecord calls, each awaited before the next; per-call latencies in ms. */
async function ourAwaited(env: BenchEnvironment, name: string, count: number): Promise<number[]> {
  const api = createWebApi({
    metadata: bundledMetadata(),
    indexedDB: env.indexedDB,
    IDBKeyRange: env.IDBKeyRange,
    databaseName: name,
  });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await api.offline.createRecord("account", data(i));
    latencies.push(performance.now() - t0);
  }
  await api.close();
  return latencies;
}

/**
 * Awaited calls against raw Dexie writing the same two rows per transaction (same schema and
 * durability), interleaved in blocks of 100 so both sides run under the same machine load.
 * `rows` are the rows our API wrote in an earlier pass of the same calls.
 */
async function awaitedInterleaved(
  env: BenchEnvironment,
  rows: readonly RowPair[],
): Promise<{ ours: number[]; raw: number[] }> {
  const name = freshName("awaited");
  const api = createWebApi({
    metadata: bundledMetadata(),
    indexedDB: env.indexedDB,
    IDBKeyRange: env.IDBKeyRange,
    databaseName: name,
  });
  await api.sync.pendingCount();
  const db = new XrmDatabase(freshName("raw-dexie"), env);
  await db.open();
  const ours: number[] = [];
  const raw: number[] = [];
  for (let start = 0; start < rows.length; start += 100) {
    const end = Math.min(rows.length, start + 100);
    for (let i = start; i < end; i++) {
      const t0 = performance.now();
      await api.offline.createRecord("account", data(i));
      ours.push(performance.now() - t0);
    }
    for (let i = start; i < end; i++) {
      const { record, entry } = rows[i]!;
      const { seq: _seq, ...unkeyed } = entry;
      const t0 = performance.now();
      await db.transaction("rw", db.records, db.outbox, () => {
        void db.outbox.add(unkeyed as OutboxRow);
        void db.records.add(record);
      });
      raw.push(performance.now() - t0);
    }
  }
  await api.close();
  db.close();
  await drop(env, name);
  await drop(env, db.name);
  return { ours, raw };
}

/** `count` createRecord calls fired at once; ms until all resolved. */
async function ourBurst(env: BenchEnvironment, name: string, count: number): Promise<number> {
  const api = createWebApi({
    metadata: bundledMetadata(),
    indexedDB: env.indexedDB,
    IDBKeyRange: env.IDBKeyRange,
    databaseName: name,
  });
  await api.sync.pendingCount(); // the database is open before the clock starts
  const t0 = performance.now();
  const calls: PromiseLike<unknown>[] = [];
  for (let i = 0; i < count; i++) calls.push(api.offline.createRecord("account", data(i)));
  await Promise.all(calls);
  const ms = performance.now() - t0;
  await api.close();
  return ms;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Raw IndexedDB with the same object stores and indexes; the rows in 1,000-row transactions. */
async function rawIdbBulk(env: BenchEnvironment, rows: readonly RowPair[]): Promise<number> {
  const rawName = freshName("raw-idb");
  const open = env.indexedDB.open(rawName, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore("records", { keyPath: ["_entity", "_id"] });
    const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    outbox.createIndex("changeKey", "changeKey");
  };
  const db = await request(open);
  const t0 = performance.now();
  for (let start = 0; start < rows.length; start += 1000) {
    const tx = db.transaction(["records", "outbox"], "readwrite", { durability: "strict" });
    const outbox = tx.objectStore("outbox");
    const records = tx.objectStore("records");
    for (const { record, entry } of rows.slice(start, start + 1000)) {
      const { seq: _seq, ...unkeyed } = entry;
      outbox.add(unkeyed);
      records.add(record);
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const ms = performance.now() - t0;
  db.close();
  await drop(env, rawName);
  return ms;
}

/** Fills a database with `count` queued creates (written like our API writes them). */
async function fillQueue(
  env: BenchEnvironment,
  name: string,
  template: RowPair,
  count: number,
): Promise<void> {
  const db = new XrmDatabase(name, { ...env, durability: "relaxed" });
  await db.open();
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const pairs = Array.from({ length: n }, (_, k) => {
      const i = start + k;
      const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
      const record = {
        ...template.record,
        _id: id,
        accountid: id,
        _changes: [{ ...template.record._changes[0]!, seq: i + 1 }],
      };
      const entry = { ...template.entry, seq: i + 1, recordId: id };
      return { record, entry };
    });
    await db.transaction("rw", db.records, db.outbox, async () => {
      await db.outbox.bulkAdd(pairs.map((p) => p.entry));
      await db.records.bulkAdd(pairs.map((p) => p.record as StoredRecord));
    });
  }
  db.close();
}

export async function runOfflineBench(env: BenchEnvironment): Promise<BenchFigure[]> {
  const sizes = {
    awaited: env.sizes?.awaited ?? 2000,
    rounds: env.sizes?.rounds ?? 3,
    burst: env.sizes?.burst ?? 1000,
    burstRounds: env.sizes?.burstRounds ?? 9,
    queued: env.sizes?.queued ?? 100_000,
  };
  const figures: BenchFigure[] = [];

  // Warm-up (JIT, IndexedDB internals) for every path measured.
  {
    const name = freshName("warm");
    await ourAwaited(env, name, 300);
    await awaitedInterleaved(env, await rowsOf(env, name));
    for (let i = 0; i < 3; i++) {
      const burst = freshName("warm-burst");
      await ourBurst(env, burst, sizes.burst);
      await rawIdbBulk(env, await rowsOf(env, burst));
    }
  }

  // 1. Per awaited call: rows from a first pass, then both sides interleaved.
  const template = freshName("awaited-rows");
  await ourAwaited(env, template, sizes.awaited);
  const awaitedRows = await rowsOf(env, template);
  const ours: number[] = [];
  const raw: number[] = [];
  const ratios: number[] = [];
  const roundMeans: number[] = [];
  for (let r = 0; r < sizes.rounds; r++) {
    const { ours: a, raw: b } = await awaitedInterleaved(env, awaitedRows);
    const meanA = a.reduce((s, x) => s + x, 0) / a.length;
    const meanB = b.reduce((s, x) => s + x, 0) / b.length;
    ours.push(...a);
    raw.push(...b);
    ratios.push(meanA / meanB);
    roundMeans.push(meanA);
  }
  ours.sort((x, y) => x - y);
  raw.sort((x, y) => x - y);
  figures.push(
    {
      name: "createRecord, awaited one by one: throughput",
      value: 1000 / median(roundMeans),
      unit: "calls/s",
    },
    { name: "createRecord, awaited: p50 latency", value: percentile(ours, 50), unit: "ms" },
    { name: "createRecord, awaited: p99 latency", value: percentile(ours, 99), unit: "ms" },
    { name: "raw Dexie, same 2 rows per transaction: p50 latency", value: percentile(raw, 50), unit: "ms" },
    { name: "raw Dexie, same 2 rows per transaction: p99 latency", value: percentile(raw, 99), unit: "ms" },
    {
      name: "awaited call time ÷ raw Dexie (median of rounds)",
      value: median(ratios),
      unit: "×",
      note: `target ≤ 1.5×; ${sizes.rounds} rounds of ${sizes.awaited}`,
    },
  );

  // 2. Calls fired at once.
  const ourRates: number[] = [];
  const rawRates: number[] = [];
  for (let r = 0; r < sizes.burstRounds; r++) {
    const name = freshName("burst");
    const ms = await ourBurst(env, name, sizes.burst);
    const rawMs = await rawIdbBulk(env, await rowsOf(env, name));
    ourRates.push((sizes.burst / ms) * 1000);
    rawRates.push((sizes.burst / rawMs) * 1000);
  }
  const ourRate = median(ourRates);
  const rawRate = median(rawRates);
  // The share of the burst spent validating and rendering (odata), before any IndexedDB work.
  const metadata = bundledMetadata();
  const validation: number[] = [];
  for (let r = 0; r < sizes.burstRounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < sizes.burst; i++) {
      const op = normalizeWrite(metadata, {
        entityLogicalName: "account",
        data: data(i),
        mode: "offline",
        kind: "create",
      });
      renderRequest(metadata, op);
    }
    validation.push(performance.now() - t0);
  }
  figures.push(
    { name: `${sizes.burst} createRecord calls fired at once`, value: ourRate, unit: "calls/s" },
    { name: "raw IndexedDB, same rows in 1,000-row transactions", value: rawRate, unit: "rows/s" },
    {
      name: `of which validation + request rendering (odata), ${sizes.burst} calls`,
      value: median(validation),
      unit: "ms",
      note: `the burst takes ${((sizes.burst / ourRate) * 1000).toFixed(1)} ms, raw ${((sizes.burst / rawRate) * 1000).toFixed(1)} ms`,
    },
    {
      name: "fired-at-once rate ÷ raw bulk rate",
      value: ourRate / rawRate,
      unit: "×",
      note: `target ≥ 0.8×; median of ${sizes.burstRounds}`,
    },
  );

  // 3. A queue of 100,000 entries: open time and memory.
  {
    const source = freshName("template");
    await ourAwaited(env, source, 1);
    const [template] = await rowsOf(env, source);
    const name = freshName("queued");
    await fillQueue(env, name, template!, sizes.queued);
    const heapBefore = env.heapMB?.();
    /** Opens the queue through createWebApi and through the store; the first run is cold. */
    const open = async () => {
      const t0 = performance.now();
      const api = createWebApi({
        metadata: bundledMetadata(),
        indexedDB: env.indexedDB,
        IDBKeyRange: env.IDBKeyRange,
        databaseName: name,
      });
      const pending = await api.sync.pendingCount();
      const openMs = performance.now() - t0;
      const t1 = performance.now();
      const store = await OfflineStore.open({ name, metadata: bundledMetadata(), ...env });
      const page = await store.peekOutbox({ limit: 100, afterSeq: Math.floor(sizes.queued / 2) });
      const peekMs = performance.now() - t1;
      await store.close();
      const t2 = performance.now();
      const created = await api.createRecord("account", data(0));
      const writeMs = performance.now() - t2;
      await api.close();
      if (pending < sizes.queued || page.length !== 100 || !created.id) {
        throw new Error(`queue check failed: ${pending}, ${page.length}`);
      }
      return { openMs, peekMs, writeMs };
    };
    const measured = env.peakMemoryMB
      ? await env.peakMemoryMB(open)
      : { result: await open(), peakMB: Number.NaN };
    const runs = [measured.result, await open(), await open()];
    const q = sizes.queued.toLocaleString("en-US");
    const med = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
    figures.push(
      { name: `open + pendingCount with ${q} queued (cold)`, value: measured.result.openMs, unit: "ms" },
      {
        name: `open + pendingCount with ${q} queued`,
        value: med((r) => r.openMs),
        unit: "ms",
        note: "median of 3",
      },
      {
        name: `open + an outbox page (100) mid-queue with ${q} queued`,
        value: med((r) => r.peekMs),
        unit: "ms",
        note: "median of 3",
      },
      {
        name: `one createRecord with ${q} queued`,
        value: med((r) => r.writeMs),
        unit: "ms",
        note: "median of 3",
      },
    );
    if (!Number.isNaN(measured.peakMB)) {
      figures.push({
        name: `memory while opening with ${q} queued (peak above baseline)`,
        value: measured.peakMB,
        unit: "MB",
        note: "the queue is not loaded",
      });
    }
    if (heapBefore !== undefined) {
      figures.push({
        name: `JS heap with ${q} queued entries (${env.label})`,
        value: heapBefore,
        unit: "MB",
        note: env.label.includes("fake-indexeddb")
          ? "context: the in-memory database itself"
          : "the browser keeps IndexedDB outside the JS heap",
      });
    }
  }
  return figures;
}
