// Browser entry of the Chromium upload benchmark. A 50 MB file is stored as a Blob in the store's
// `blobs` table on the page's real IndexedDB (store.fileUploads().set, as api.files.set does), then
// uploaded by the engine's uploader (runUploads + transport uploadFile: chunks of 4 MB, each a Blob
// slice, progress saved after each) to the emulator. Memory is sampled through CDP every 20 ms:
// the JS heap, and the heap plus ArrayBuffer backing stores (where bytes read from a Blob go). The
// floor: the same Blob read whole (`arrayBuffer()`) and sent in one PATCH.

import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { createUploadTracker, runUploads } from "@xrm-offline/sync";
import { createTransport, uploadFile } from "@xrm-offline/transport";
import { Dexie } from "dexie";

const params = new URLSearchParams(location.search);
const MB = Number(params.get("mb") ?? 50);
const SIZE = MB * 1024 * 1024;
const metadata = bundledMetadata();
const transport = createTransport({ serverUrl: `${location.origin}/api/data/v9.2` });
const memoryPeak = (): Promise<{ heapMB: number; withBuffersMB: number }> =>
  (
    globalThis as unknown as { benchMemoryPeak(): Promise<{ heapMB: number; withBuffersMB: number }> }
  ).benchMemoryPeak();

/** A record on the server and on the device (its create acknowledged: uploads may go). */
async function record(store: OfflineStore): Promise<string> {
  const id = crypto.randomUUID();
  await transport.send({
    method: "POST",
    url: "incidents",
    headers: {},
    body: { incidentid: id, title: "Bench" },
  });
  await store.applyServerRows("incident", [{ incidentid: id, title: "Bench" }]);
  return id;
}

/** The file as a Blob built from one 1 MB buffer: the bytes live in the browser's blob storage. */
function fileBlob(): Blob {
  const chunk = new Uint8Array(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
  return new Blob(Array.from({ length: MB }, () => chunk));
}

async function serverSize(id: string): Promise<number> {
  const res = await fetch(`${location.origin}/api/data/v9.2/incidents(${id})/new_report/$value`, {
    headers: { Range: "bytes=0-0" },
  });
  await res.arrayBuffer();
  return Number(res.headers.get("x-ms-file-size"));
}

async function run() {
  const name = `upload-bench-${Date.now()}`;
  const store = await OfflineStore.open({ name, metadata, indexedDB, IDBKeyRange });
  const files = store.fileUploads(() => crypto.randomUUID());
  const target = (recordId: string) => ({
    entity: "incident",
    recordId,
    column: "new_report",
    fileName: "bench.bin",
    mimeType: "application/octet-stream",
  });

  // Warm-up: JIT, the connection, the emulator's statements (a 4 MB file in 1 chunk + 1 MB).
  const warmId = await record(store);
  await files.set(target(warmId), new Blob([new Uint8Array(5 * 1024 * 1024)]));
  const send = (
    upload: Parameters<Parameters<typeof runUploads>[1]>[0],
    blob: Blob,
    o: Parameters<Parameters<typeof runUploads>[1]>[2],
  ) =>
    uploadFile(
      transport,
      {
        entitySetName: "incidents",
        id: upload.recordId,
        column: upload.column,
        fileName: upload.fileName,
        mimeType: upload.mimeType,
      },
      blob,
      o,
    );
  await runUploads(files, send, createUploadTracker(), new AbortController().signal);

  const id = await record(store);
  await files.set(target(id), fileBlob());
  await memoryPeak(); // GC; the next interval starts with the file only in IndexedDB
  const t = performance.now();
  const round = await runUploads(files, send, createUploadTracker(), new AbortController().signal);
  const ms = performance.now() - t;
  const engine = await memoryPeak();
  if (round.uploaded !== 1 || (await serverSize(id)) !== SIZE) {
    throw new Error(`upload incomplete: ${JSON.stringify(round)}`);
  }
  console.log(`engine: ${(ms / 1000).toFixed(1)} s, peak ${JSON.stringify(engine)}`);

  // Floor: the same stored Blob read whole, then one PATCH of its bytes.
  const floorId = await record(store);
  await files.set(target(floorId), fileBlob());
  const stored = await files.file("incident", floorId, "new_report");
  await memoryPeak();
  const t2 = performance.now();
  const whole = new Uint8Array(await stored!.blob.arrayBuffer());
  await transport.sendBinary({
    method: "PATCH",
    url: `incidents(${floorId})/new_report`,
    headers: { "Content-Type": "application/octet-stream", "x-ms-file-name": "bench.bin" },
    body: whole,
  });
  const floorMs = performance.now() - t2;
  const floor = await memoryPeak();
  if ((await serverSize(floorId)) !== SIZE) throw new Error("floor upload incomplete");
  console.log(`whole: ${(floorMs / 1000).toFixed(1)} s, peak ${JSON.stringify(floor)} (${whole.length})`);

  await store.close();
  await Dexie.delete(name).catch(() => {});
  return [
    {
      name: `upload ${MB} MB from IndexedDB: engine's uploader (13 chunks of 4 MB, Blob slices), JS heap + ArrayBuffers peak`,
      value: Number(engine.withBuffersMB.toFixed(1)),
      unit: "MB",
      note: `JS heap alone ${engine.heapMB.toFixed(1)} MB; ${Math.round(ms)} ms; must stay below 1× the file`,
    },
    {
      name: `floor: the same Blob read whole (arrayBuffer) and sent in one PATCH, same measure`,
      value: Number(floor.withBuffersMB.toFixed(1)),
      unit: "MB",
      note: `JS heap alone ${floor.heapMB.toFixed(1)} MB; ${Math.round(floorMs)} ms`,
    },
  ];
}

(globalThis as unknown as { benchDone: Promise<unknown> }).benchDone = run();
