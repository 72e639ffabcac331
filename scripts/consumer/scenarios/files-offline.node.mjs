// (iv) Plain Node, packed packages only: `api.files` — an image set offline from a Blob, read back
// locally, then uploaded in chunks after the record's create, its bytes shown in
// `status$.uploads`; a note with a body kept as a Blob; `api.storage` over a stand-in port.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";

const emulator = spawn(
  process.execPath,
  ["node_modules/.bin/xrm-emulator", "--port", "0", "--database", ":memory:"],
  { stdio: ["ignore", "pipe", "inherit"] },
);
let url;
for await (const line of createInterface({ input: emulator.stdout })) {
  const m = /listening at (\S+)/.exec(line);
  if (m) {
    url = m[1];
    break;
  }
}
assert.ok(url, "the emulator printed its URL");

const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251);
const online = new BehaviorSubject(false);
const api = createWebApi({
  serverUrl: url,
  metadata: bundledMetadata(),
  databaseName: "consumer-files",
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  connectivity: online,
  storage: { estimate: async () => ({ quota: 100_000_000, usage: 1_000_000 }) },
  sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false, uploadChunkBytes: 8192 },
});
try {
  assert.deepEqual(await api.storage.estimate(), {
    usage: 1_000_000,
    quota: 100_000_000,
    free: 99_000_000,
    persisted: null,
  });
  const { id } = await api.createRecord("incident", { title: "Broken pump" });
  const photo = bytes(20_000, 1);
  await api.files.set("incident", id, "entityimage", new Blob([photo], { type: "image/jpeg" }), {
    fileName: "pump.jpg",
  });
  const local = await api.files.get("incident", id, "entityimage");
  assert.equal(local.state, "pending");
  assert.deepEqual(new Uint8Array(await local.blob.arrayBuffer()), photo);
  const body = Buffer.from(bytes(6000, 2)).toString("base64");
  const note = await api.createRecord("annotation", {
    subject: "Signature",
    filename: "signature.png",
    documentbody: body,
    "objectid_incident@odata.bind": `/incidents(${id})`,
  });

  const sent = [];
  const sub = api.sync.status$.subscribe((s) => {
    for (const u of s.uploads) if (u.column === "entityimage") sent.push(u.sentBytes);
  });
  online.next(true);
  const report = await api.sync.syncNow();
  sub.unsubscribe();
  assert.equal(report.pushed, 2);
  assert.deepEqual([...new Set(sent)], [0, 8192, 16384, 20000]);
  assert.equal((await api.files.get("incident", id, "entityimage")).state, "uploaded");

  const image = await fetch(`${url}/incidents(${id})/entityimage/$value`);
  assert.equal(image.status, 200);
  assert.deepEqual(new Uint8Array(await image.arrayBuffer()), photo);
  const row = await (await fetch(`${url}/annotations(${note.id})?$select=documentbody,filename`)).json();
  assert.equal(row.documentbody, body);
  assert.equal(row.filename, "signature.png");
  console.log("files and notes offline → chunked upload → server: ok");
} finally {
  await api.close();
  emulator.kill("SIGTERM");
  await once(emulator, "exit");
}
