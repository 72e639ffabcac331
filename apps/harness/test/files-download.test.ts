// Files set on the server or another device, read on this one (issue 17): downloaded on the first
// read while online (ranges, as "Use file column data" describes), kept for reads offline, fetched
// again once the server's file changed; a note's body read as bytes; nothing left after a delete.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

const base64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const read = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ fileColumns: { incident: { new_report: {} } } });
});
afterAll(() => emulator.close());

/** Another device: writes straight to the server over HTTP. */
async function server(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.url}/${path}`, { method, headers, ...(body ? { body } : {}) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

async function serverIncident(title: string): Promise<string> {
  const res = await server("POST", "incidents", JSON.stringify({ title }), {
    "Content-Type": "application/json",
  });
  return /\(([0-9a-f-]{36})\)/.exec(res.headers.get("OData-EntityId") ?? "")![1]!;
}

const putFile = (id: string, column: string, data: Uint8Array<ArrayBuffer>, name: string) =>
  server("PATCH", `incidents(${id})/${column}`, new Blob([data]), {
    "Content-Type": "application/octet-stream",
    "x-ms-file-name": name,
  });

/** Rows of the local database's `blobs` table, read with IndexedDB itself. */
function blobKeys(factory: IDBFactory, name: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const open = factory.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const keys = db.transaction("blobs").objectStore("blobs").getAllKeys();
      keys.onsuccess = () => {
        db.close();
        resolve(keys.result.map(String));
      };
      keys.onerror = () => reject(keys.error);
    };
  });
}

describe("files set elsewhere, read here", () => {
  let api: OfflineWebApi;
  let factory: IDBFactory;
  afterEach(async () => {
    emulator.faults.clear();
    await api?.close();
  });

  const open = (name: string) => {
    factory = new IDBFactory();
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: name,
      indexedDB: factory,
      IDBKeyRange,
      connectivity: new BehaviorSubject(true),
      offlineTables: { incident: {}, annotation: {} },
      fileColumns: { incident: { new_report: {} } },
      sync: { autoStart: false, retry: { baseMs: 1, capMs: 5 }, downloadChunkBytes: 4096 },
    });
    return api;
  };
  const unreachable = () => emulator.faults.set({ failRate: 1, failWith: ["reset-before"] });

  it("downloads a file column in ranges on the first read and serves later reads offline", async () => {
    const id = await serverIncident("Pump");
    const report = bytes(10_000, 7);
    await putFile(id, "new_report", report, "server.pdf");
    open("download-1");
    await api.sync.syncNow();

    emulator.requestLog.clear();
    const file = await api.files.get("incident", id, "new_report");
    expect(file).toMatchObject({
      fileName: "server.pdf",
      mimeType: "application/pdf",
      size: 10_000,
      state: "downloaded",
    });
    expect(await read(file!.blob)).toEqual(report);
    const gets = emulator.requestLog.entries();
    expect(gets.map((e) => [e.method, e.path, e.headers.range])).toEqual([
      ["GET", `incidents(${id})/new_report/$value`, "bytes=0-4095"],
      ["GET", `incidents(${id})/new_report/$value`, "bytes=4096-8191"],
      ["GET", `incidents(${id})/new_report/$value`, "bytes=8192-9999"],
    ]);

    unreachable();
    emulator.requestLog.clear();
    const offline = await api.files.get("incident", id, "new_report");
    expect(offline).toMatchObject({ fileName: "server.pdf", size: 10_000, state: "downloaded" });
    expect(await read(offline!.blob)).toEqual(report);
    expect(emulator.requestLog.length).toBe(0);
  });

  it("offline without a kept copy: a clear error; an image changed on the server is fetched again", async () => {
    const id = await serverIncident("Photo");
    const first = bytes(6000, 1);
    await putFile(id, "entityimage", first, "a.png");
    open("download-2");
    await api.sync.syncNow();

    unreachable();
    const error = await api.files.get("incident", id, "entityimage").catch((e) => e);
    expect(error).toMatchObject({ errorCode: 0x80072efd });
    expect(typeof error.message).toBe("string");

    emulator.faults.clear();
    emulator.requestLog.clear();
    const image = await api.files.get("incident", id, "entityimage");
    expect(await read(image!.blob)).toEqual(first);
    expect(image).toMatchObject({ fileName: "a.png", mimeType: "image/png", size: 6000 });
    // The full-sized image, as "Use image column data" asks for it.
    expect(emulator.requestLog.entries().map((e) => e.url)).toEqual([
      expect.stringContaining(`incidents(${id})/entityimage/$value?size=full`),
      expect.stringContaining(`incidents(${id})/entityimage/$value?size=full`),
    ]);

    // Still the record's image: no request.
    emulator.requestLog.clear();
    await api.files.get("incident", id, "entityimage");
    expect(emulator.requestLog.length).toBe(0);

    // Another device replaces it; once the pull shows the new image id, the next read fetches it.
    const second = bytes(3000, 2);
    await putFile(id, "entityimage", second, "b.png");
    await api.sync.syncNow();
    const again = await api.files.get("incident", id, "entityimage");
    expect(await read(again!.blob)).toEqual(second);
    expect(again).toMatchObject({ fileName: "b.png", size: 3000 });

    // A record without a file: null, without asking the server.
    const bare = await serverIncident("No photo");
    await api.sync.syncNow();
    emulator.requestLog.clear();
    expect(await api.files.get("incident", bare, "entityimage")).toBeNull();
    expect(emulator.requestLog.length).toBe(0);
  });

  it("a file uploaded from here stays what this device reads until another device replaces it", async () => {
    const id = await serverIncident("Mine");
    open("download-4");
    await api.sync.syncNow();
    const mine = bytes(3000, 12);
    await api.files.set("incident", id, "entityimage", new Blob([mine], { type: "image/png" }), {
      fileName: "mine.png",
    });
    await api.sync.syncNow(); // uploads it, reads back its image id; the next cycle's pull shows it
    await api.sync.syncNow();
    emulator.requestLog.clear();
    const own = await api.files.get("incident", id, "entityimage");
    expect(own).toMatchObject({ fileName: "mine.png", state: "uploaded" });
    expect(await read(own!.blob)).toEqual(mine);
    expect(emulator.requestLog.length).toBe(0);

    const theirs = bytes(2000, 13);
    await putFile(id, "entityimage", theirs, "theirs.png");
    await api.sync.syncNow();
    const now = await api.files.get("incident", id, "entityimage");
    expect(now).toMatchObject({ fileName: "theirs.png", state: "downloaded", size: 2000 });
    expect(await read(now!.blob)).toEqual(theirs);
    expect(await api.files.uploads()).toEqual([]); // the replaced upload's bytes left the device
  });

  it("reads a pulled note's body as bytes, and a delete drops every downloaded copy", async () => {
    const id = await serverIncident("Signed");
    const signature = bytes(5000, 3);
    const res = await server(
      "POST",
      "annotations",
      JSON.stringify({
        subject: "Signature",
        filename: "signature.png",
        mimetype: "image/png",
        documentbody: base64(signature),
        "objectid_incident@odata.bind": `/incidents(${id})`,
      }),
      { "Content-Type": "application/json" },
    );
    const noteId = /\(([0-9a-f-]{36})\)/.exec(res.headers.get("OData-EntityId") ?? "")![1]!;
    await putFile(id, "new_report", bytes(100, 4), "r.pdf");
    open("download-3");
    await api.sync.syncNow();

    emulator.requestLog.clear();
    const note = await api.files.get("annotation", noteId, "documentbody");
    expect(note).toMatchObject({
      fileName: "signature.png",
      mimeType: "image/png",
      size: 5000,
      state: "downloaded",
    });
    expect(await read(note!.blob)).toEqual(signature);
    expect(emulator.requestLog.length).toBe(0); // the pull brought it

    // A note pulled without a body: asked for it with the note block messages Microsoft documents.
    const res2 = await server(
      "POST",
      "annotations",
      JSON.stringify({ subject: "Later", filename: "later.jpg", mimetype: "image/jpeg" }),
      { "Content-Type": "application/json" },
    );
    const laterId = /\(([0-9a-f-]{36})\)/.exec(res2.headers.get("OData-EntityId") ?? "")![1]!;
    await api.sync.syncNow();
    emulator.requestLog.clear();
    expect(await api.files.get("annotation", laterId, "documentbody")).toBeNull();
    expect(emulator.requestLog.entries().map((e) => [e.path, e.status])).toEqual([
      ["InitializeAnnotationBlocksDownload", 404],
    ]);
    const photo = bytes(9000, 6);
    await server("PATCH", `annotations(${laterId})`, JSON.stringify({ documentbody: base64(photo) }), {
      "Content-Type": "application/json",
    });
    emulator.requestLog.clear();
    const later = await api.files.get("annotation", laterId, "documentbody");
    expect(later).toMatchObject({ fileName: "later.jpg", mimeType: "image/jpeg", size: 9000 });
    // 9,000 bytes in blocks of 4,096 (sync.downloadChunkBytes).
    expect(
      emulator.requestLog
        .entries()
        .filter((e) => e.method === "POST")
        .map((e) => [e.path, e.path === "DownloadBlock" ? JSON.parse(e.body).Offset : null]),
    ).toEqual([
      ["InitializeAnnotationBlocksDownload", null],
      ["DownloadBlock", 0],
      ["DownloadBlock", 4096],
      ["DownloadBlock", 8192],
    ]);
    expect(await read(later!.blob)).toEqual(photo);
    expect(await read(later!.blob)).toEqual(photo);

    await api.files.get("incident", id, "new_report");
    expect(await blobKeys(factory, "download-3")).toContain(`download|incident|${id}|new_report`);
    await api.deleteRecord("incident", id);
    expect(
      (await blobKeys(factory, "download-3")).filter((k) => k.startsWith(`download|incident|${id}`)),
    ).toEqual([]);
    const gone = await api.files.get("incident", id, "new_report").catch((e) => e);
    expect(gone.errorCode).toBe(0x80040217);
  });
});
