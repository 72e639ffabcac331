// How much a harness costs a test: start-up (cold and warm, bare and with a seeded, downloaded
// profile), dispose, the create + dispose pair a beforeEach/afterEach makes, a typical offline →
// sync test body, and whether disposed harnesses leave memory behind.
import { report } from "../../../scripts/bench-report.ts";
import type { OfflineHarnessOptions } from "../src/index.ts";

const suite = "testing harness";
const RUNS = 40;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

const seeded: OfflineHarnessOptions = {
  seed: {
    contact: Array.from({ length: 50 }, (_, i) => ({ firstname: "Contact", lastname: `${i}` })),
    account: Array.from({ length: 40 }, (_, i) => ({ name: `Account ${i}` })),
    task: Array.from({ length: 10 }, (_, i) => ({ subject: `Task ${i}` })),
  },
  offlineTables: ["account", "contact", "task"],
};

// Loading the package (its dependencies: emulator, SQLite, Dexie, rxjs…), as a test file's import does.
const t0 = performance.now();
const { createOfflineHarness } = await import("../src/index.ts");
report({
  suite,
  name: "import @xrm-offline/testing (cold, tsx)",
  value: performance.now() - t0,
  unit: "ms",
  note: "once per test file",
});

// Cold: the first harness of the process (JIT, SQLite and IndexedDB set-up paid once).
const [cold, first] = await time(() => createOfflineHarness());
await first.dispose();
report({ suite, name: "first createOfflineHarness() of a process (cold)", value: cold, unit: "ms" });

const bare: number[] = [];
const disposeTimes: number[] = [];
const pair: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [start, h] = await time(() => createOfflineHarness());
  const [end] = await time(() => h.dispose());
  bare.push(start);
  disposeTimes.push(end);
  pair.push(start + end);
}
report({
  suite,
  name: "createOfflineHarness(), no seed: median",
  value: quantile(bare, 0.5),
  unit: "ms",
  note: `target < 1000 ms; ${RUNS} runs`,
});
report({ suite, name: "createOfflineHarness(), no seed: p95", value: quantile(bare, 0.95), unit: "ms" });
report({ suite, name: "dispose(): median", value: quantile(disposeTimes, 0.5), unit: "ms" });
report({
  suite,
  name: "per-test overhead (create + dispose): median",
  value: quantile(pair, 0.5),
  unit: "ms",
  note: "what a beforeEach/afterEach pair adds to each test",
});
report({ suite, name: "per-test overhead (create + dispose): p95", value: quantile(pair, 0.95), unit: "ms" });

const withSeed: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [start, h] = await time(() => createOfflineHarness(seeded));
  withSeed.push(start);
  await h.dispose();
}
report({
  suite,
  name: "createOfflineHarness() with 100 seeded rows in 3 offline tables: median",
  value: quantile(withSeed, 0.5),
  unit: "ms",
  note: "seed + first sync downloads them",
});
report({
  suite,
  name: "createOfflineHarness() with 100 seeded rows: p95",
  value: quantile(withSeed, 0.95),
  unit: "ms",
});

// A typical test body: offline create with a lookup, back online, one sync, read the server.
const body: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const h = await createOfflineHarness({
    seed: { contact: [{ contactid: "465b158c-541c-e511-80d3-3863bb347ba8", lastname: "McKay" }] },
    offlineTables: ["account", "contact"],
  });
  const [t] = await time(async () => {
    h.goOffline();
    const { id } = await h.Xrm.WebApi.createRecord("account", {
      name: "Bench",
      "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)",
    });
    h.goOnline();
    await h.syncNow();
    if (h.server.row("account", id)?.name !== "Bench")
      throw new Error("the account did not reach the server");
  });
  body.push(t);
  await h.dispose();
}
report({
  suite,
  name: "test body: offline create with a lookup → goOnline → syncNow → server check: median",
  value: quantile(body, 0.5),
  unit: "ms",
});

// Leak check: heap after many harnesses were created and disposed.
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};
const base = heap();
for (let i = 0; i < 100; i++) await (await createOfflineHarness(seeded)).dispose();
report({
  suite,
  name: "heap growth after 100 seeded harnesses created and disposed",
  value: heap() - base,
  unit: "MB",
  note: gc ? "after gc" : "no --expose-gc: rough",
});
