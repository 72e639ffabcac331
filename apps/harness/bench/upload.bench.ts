// `pnpm bench upload`: a 50 MB file to a file column over loopback HTTP — our chunked, resumable
// upload (transport's uploadFile: a session, 4 MB Content-Range chunks, progress after each) next
// to one plain PUT of the same bytes, in the same run against the same emulator (its own process).
// The file is a Blob backed by a file on disk (fs.openAsBlob), read slice by slice as a browser
// reads a File; the client's memory peak above its baseline shows whether the file is ever held
// whole (it must not be held more than once).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { openAsBlob, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createTransport, uploadFile } from "@xrm-offline/transport";
import { report } from "../../../scripts/bench-report.ts";

const SUITE = "file upload (50 MB, loopback HTTP, emulator in its own process)";
const MB = 1024 * 1024;
const SIZE = Number(process.env.UPLOAD_BENCH_MB ?? 50) * MB;
const RUNS = Number(process.env.UPLOAD_BENCH_RUNS ?? 3);

const server = spawn(
  process.execPath,
  ["--import", "tsx", new URL("./upload-server.ts", import.meta.url).pathname],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const [line] = (await once(createInterface({ input: server.stdout! }), "line")) as [string];
const { url } = JSON.parse(line) as { url: string };

const path = join(tmpdir(), `upload-bench-${process.pid}.bin`);
{
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = (i * 31 + 7) % 251;
  writeFileSync(path, bytes);
}
const file = await openAsBlob(path);

const transport = createTransport({ serverUrl: url, timeoutMs: 600_000 });
async function newCase(): Promise<string> {
  const res = await fetch(`${url}/incidents`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Prefer: "return=representation" },
    body: JSON.stringify({ title: "upload bench" }),
  });
  return ((await res.json()) as { incidentid: string }).incidentid;
}
async function serverSize(id: string): Promise<number> {
  const res = await fetch(`${url}/incidents(${id})/new_report/$value`);
  return (await res.arrayBuffer()).byteLength;
}

async function chunked(id: string): Promise<number> {
  let chunks = 0;
  await uploadFile(
    transport,
    {
      entitySetName: "incidents",
      id,
      column: "new_report",
      fileName: "survey.bin",
      mimeType: "application/octet-stream",
    },
    file,
    { onProgress: () => void chunks++ },
  );
  return chunks;
}
async function plainPut(id: string): Promise<number> {
  const res = await fetch(`${url}/incidents(${id})/new_report`, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream", "x-ms-file-name": "survey.bin" },
    body: file,
    duplex: "half",
  } as RequestInit);
  if (res.status !== 204) throw new Error(`PUT answered ${res.status}: ${await res.text()}`);
  return 1;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/**
 * Memory above the baseline while `fn` runs, sampled every 20 ms: `retained` after a forced full
 * GC at each sample (what the upload holds), `allocated` without (garbage not yet collected
 * included).
 */
async function memoryDuring(fn: () => Promise<unknown>, collect: boolean): Promise<number> {
  gc();
  const base = held();
  let peak = base;
  const timer = setInterval(() => {
    if (collect) gc();
    peak = Math.max(peak, held());
  }, 20);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return (Math.max(peak, held()) - base) / MB;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const upload = (kind: "chunked" | "put", id: string) => (kind === "chunked" ? chunked(id) : plainPut(id));
const times = { chunked: [] as number[], put: [] as number[] };
let chunkCount = 0;
try {
  // One warm-up of each, not counted.
  await chunked(await newCase());
  await plainPut(await newCase());
  for (let run = 0; run < RUNS; run++) {
    for (const kind of ["chunked", "put"] as const) {
      const id = await newCase();
      gc();
      const t0 = performance.now();
      const n = await upload(kind, id);
      times[kind].push(performance.now() - t0);
      if (kind === "chunked") chunkCount = n;
      const stored = await serverSize(id);
      if (stored !== SIZE) throw new Error(`${kind}: the server holds ${stored} bytes, not ${SIZE}`);
    }
  }
  const memory = { chunked: { retained: 0, allocated: 0 }, put: { retained: 0, allocated: 0 } };
  for (const kind of ["chunked", "put"] as const) {
    memory[kind].retained = await memoryDuring(async () => upload(kind, await newCase()), true);
    memory[kind].allocated = await memoryDuring(async () => upload(kind, await newCase()), false);
  }
  const sizeMB = SIZE / MB;
  const rate = (ms: number) => sizeMB / (ms / 1000);
  report({
    suite: SUITE,
    name: `chunked resumable upload (${chunkCount - 1} chunks of 4 MB), median of ${RUNS}`,
    value: rate(median(times.chunked)),
    unit: "MB/s",
    note: `${median(times.chunked).toFixed(0)} ms`,
  });
  report({
    suite: SUITE,
    name: `one plain PUT of the same bytes (floor), median of ${RUNS}`,
    value: rate(median(times.put)),
    unit: "MB/s",
    note: `${median(times.put).toFixed(0)} ms`,
  });
  report({
    suite: SUITE,
    name: "chunked upload time ÷ plain PUT time",
    value: median(times.chunked) / median(times.put),
    unit: "×",
  });
  report({
    suite: SUITE,
    name: "memory held while uploading chunked (heap + array buffers after a full GC, peak above baseline)",
    value: memory.chunked.retained,
    unit: "MB",
    note: `file ${sizeMB} MB: must stay below 1× the file`,
  });
  report({
    suite: SUITE,
    name: "memory held during the plain PUT (same measure)",
    value: memory.put.retained,
    unit: "MB",
    note: "for comparison",
  });
  report({
    suite: SUITE,
    name: "memory allocated while uploading chunked (no forced GC: garbage not yet collected included)",
    value: memory.chunked.allocated,
    unit: "MB",
    note: `file ${sizeMB} MB`,
  });
  report({
    suite: SUITE,
    name: "memory allocated during the plain PUT (same measure)",
    value: memory.put.allocated,
    unit: "MB",
  });
} finally {
  server.kill();
  rmSync(path, { force: true });
}
