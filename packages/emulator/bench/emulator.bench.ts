/**
 * Emulator throughput on loopback (client and server in one process, 2 cores): creates/s over
 * HTTP one at a time and from 16 concurrent clients, creates/s through `$batch` change sets, and
 * 20,000 mixed requests (create, upsert, update, read, query, delete) from 16 concurrent clients.
 * The database is a WAL SQLite file, as when the emulator runs from the CLI.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { startEmulator } from "../src/index.ts";
import { runMixedLoad } from "../test/mixed-load.ts";

const dir = mkdtempSync(join(tmpdir(), "emulator-bench-"));
const emu = await startEmulator({ database: join(dir, "bench.sqlite"), requestLogLimit: 100 });
const headers = { "Content-Type": "application/json", Accept: "application/json" };
const SUITE = "emulator";

async function createOne(i: number): Promise<void> {
  const res = await fetch(`${emu.url}/accounts`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: `bench ${i}`, revenue: i }),
  });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`create failed: ${res.status}`);
}

function batchBody(start: number, size: number): string {
  const lines = ["--batch_b", "Content-Type: multipart/mixed; boundary=changeset_c", ""];
  for (let i = 0; i < size; i++) {
    lines.push(
      "--changeset_c",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      `Content-ID: ${i + 1}`,
      "",
      `POST ${emu.url}/accounts HTTP/1.1`,
      "Content-Type: application/json",
      "",
      JSON.stringify({ name: `batched ${start + i}`, revenue: i }),
    );
  }
  lines.push("--changeset_c--", "--batch_b--", "");
  return lines.join("\r\n");
}

async function createBatch(start: number, size: number): Promise<void> {
  const res = await fetch(`${emu.url}/$batch`, {
    method: "POST",
    headers: { "Content-Type": "multipart/mixed; boundary=batch_b", Accept: "application/json" },
    body: batchBody(start, size),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`batch failed: ${res.status}`);
}

async function rate(n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let i = c; i < n; i += concurrency) await op(i);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

await rate(500, 4, createOne); // warm-up
report({
  suite: SUITE,
  name: "creates/s, 1 client (HTTP POST)",
  value: await rate(3000, 1, createOne),
  unit: "ops/s",
});
report({
  suite: SUITE,
  name: "creates/s, 16 concurrent clients",
  value: await rate(6000, 16, createOne),
  unit: "ops/s",
});
for (const size of [10, 100]) {
  const batches = 20_000 / size;
  const perSecond = await rate(batches, 4, (i) => createBatch(i * size, size));
  report({
    suite: SUITE,
    name: `batched creates/s, change sets of ${size}, 4 clients`,
    value: perSecond * size,
    unit: "rows/s",
  });
}
const { peakMB } = await peakMemoryMB(() => rate(4000, 16, createOne));
report({ suite: SUITE, name: "heap growth during 4000 concurrent creates", value: peakMB, unit: "MB" });
report({
  suite: SUITE,
  name: "rows stored",
  value: emu.count("account"),
  unit: "rows",
  note: "sanity: every create landed",
});
{
  const t0 = performance.now();
  const mixed = await runMixedLoad(emu.url, 16, 20_000);
  const seconds = (performance.now() - t0) / 1000;
  if (mixed.errors.length > 0) throw new Error(`mixed load: ${mixed.errors.slice(0, 3).join("; ")}`);
  report({
    suite: SUITE,
    name: "mixed requests/s, 20,000 from 16 concurrent clients",
    value: 20_000 / seconds,
    unit: "req/s",
    note: `${seconds.toFixed(1)} s in all (the load test's former 60 s limit)`,
  });
}
await emu.close();
rmSync(dir, { recursive: true, force: true });
