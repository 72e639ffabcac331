// Image columns given as base64 in a record (issue 17): an image set with updateRecord offline,
// and a pulled row's image, are kept as Blobs apart from the row and the outbox entry — as notes'
// bodies are — read back as base64 as Dataverse returns them, and sent whole in the PATCH.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverIncident } from "./seed-records.ts";

function bytesOf(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 29 + seed) % 251;
  return b;
}
const base64Of = (n: number, seed: number) => bytesOf(n, seed).toString("base64");

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

describe("image columns kept apart", () => {
  let api: OfflineWebApi;
  let device: IDBFactory;
  let online: BehaviorSubject<boolean>;
  afterEach(() => api?.close());
  const open = (
    name: string,
    connected: boolean,
    fileColumns?: { incident: { entityimage: { maxSizeInKB: number } } },
  ) => {
    device = new IDBFactory();
    online = new BehaviorSubject(connected);
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: name,
      indexedDB: device,
      IDBKeyRange,
      connectivity: online,
      offlineTables: ["incident"],
      ...(fileColumns ? { fileColumns } : {}),
      sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false },
    });
  };

  /** What the device holds now, through a second connection (as another tab sees it). */
  async function onDevice(name: string, id: string) {
    const peek = await OfflineStore.open({
      name,
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    const db = databaseOf(peek);
    const held = {
      rows: JSON.stringify(await db.records.toArray()),
      outbox: JSON.stringify(await db.outbox.toArray()),
      blobs: (await db.blobs.where(":id").startsWith(`incident|${id}|entityimage|`).toArray())
        .map((b) => b.blob.size)
        .sort((a, b) => a - b),
    };
    await peek.close();
    return held;
  }

  it("keeps an image set by updateRecord offline apart, reads it back whole, and sends it in the PATCH", async () => {
    const id = await serverIncident(emulator, "Site visit");
    open("images-apart-1", true);
    await api.sync.syncNow();
    online.next(false);

    const image = base64Of(30_000, 1);
    await api.updateRecord("incident", id, { entityimage: image });
    const held = await onDevice("images-apart-1", id);
    expect(held.rows.includes(image.slice(0, 1000))).toBe(false);
    expect(held.outbox.includes(image.slice(0, 1000))).toBe(false);
    expect(held.blobs).toEqual([30_000]);
    expect((await api.retrieveRecord("incident", id, "?$select=entityimage,title")).entityimage).toBe(image);
    const page = await api.retrieveMultipleRecords("incident", "?$select=entityimage");
    expect(page.entities.map((e) => e.entityimage)).toEqual([image]);

    for (let i = 0; i < 3; i++) await api.createRecord("incident", { title: `other ${i}` });

    emulator.requestLog.clear();
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 4, failed: 0 });
    expect(emulator.row("incident", id)!.entityimage).toBe(image);
    // On its own, never inside the $batch of the other writes.
    const log = emulator.requestLog.entries();
    const patches = log.filter((e) => e.method === "PATCH");
    expect(patches.map((e) => e.path)).toEqual([`incidents(${id})`]);
    expect(JSON.parse(patches[0]!.body!).entityimage).toBe(image);
    const batches = log.filter((e) => e.path === "$batch");
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((e) => !(e.body ?? "").includes(image.slice(0, 100)))).toBe(true);
    expect((await onDevice("images-apart-1", id)).blobs).toEqual([30_000]);
  });

  it("api.files.get returns an image given to updateRecord offline (pending), then the server's copy after sync", async () => {
    const id = await serverIncident(emulator, "Photo on the record");
    open("images-apart-files-get", true);
    await api.sync.syncNow();
    online.next(false);
    expect(await api.files.get("incident", id, "entityimage")).toBeNull();

    // A JPEG's first bytes, then 20,000 more.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), bytesOf(20_000, 7)]);
    await api.updateRecord("incident", id, { entityimage: jpeg.toString("base64") });
    const pending = (await api.files.get("incident", id, "entityimage"))!;
    expect(pending).toMatchObject({ state: "pending", size: jpeg.length, mimeType: "image/jpeg" });
    expect(Buffer.from(await pending.blob.arrayBuffer()).equals(jpeg)).toBe(true);

    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
    const synced = (await api.files.get("incident", id, "entityimage"))!;
    expect(synced.state).toBe("downloaded");
    expect(Buffer.from(await synced.blob.arrayBuffer()).equals(jpeg)).toBe(true);

    // Removed offline: the record has no image on this device until the change is sent.
    online.next(false);
    await api.updateRecord("incident", id, { entityimage: null });
    expect(await api.files.get("incident", id, "entityimage")).toBeNull();
  });

  it("collects a replaced image once nothing can send or restore it", async () => {
    const id = await serverIncident(emulator, "Replaced");
    open("images-apart-2", true);
    await api.sync.syncNow();
    online.next(false);
    const a = base64Of(5000, 2);
    const b = base64Of(6000, 3);
    await api.updateRecord("incident", id, { entityimage: a });
    await api.updateRecord("incident", id, { entityimage: b });
    // The queued first update still sends the first image.
    expect((await onDevice("images-apart-2", id)).blobs).toEqual([5000, 6000]);
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 2, failed: 0 });
    expect(emulator.row("incident", id)!.entityimage).toBe(b);
    expect((await onDevice("images-apart-2", id)).blobs).toEqual([6000]);
    expect((await api.retrieveRecord("incident", id, "?$select=entityimage")).entityimage).toBe(b);
  });

  it("refuses at the call an image over its column's MaxSizeInKB (ProcessImageFailure), writing nothing", async () => {
    const id = await serverIncident(emulator, "Too big");
    // An admin's MaxSizeInKB of 4 for entityimage, declared as for api.files.set.
    open("images-apart-4", true, { incident: { entityimage: { maxSizeInKB: 4 } } });
    await api.sync.syncNow();
    online.next(false);
    const tooBig = await api.updateRecord("incident", id, { entityimage: base64Of(4097, 6) }).catch((e) => e);
    expect(tooBig.errorCode).toBe(0x80072553);
    expect(await api.sync.pendingCount()).toBe(0);
    expect((await onDevice("images-apart-4", id)).blobs).toEqual([]);
    await api.updateRecord("incident", id, { entityimage: base64Of(4096, 7) });
    expect(await api.sync.pendingCount()).toBe(1);
    expect((await onDevice("images-apart-4", id)).blobs).toEqual([4096]);
  });

  it("keeps a pulled row's image apart, reads it back whole, and replaces it when the server's changes", async () => {
    const id = await serverIncident(emulator, "Photo from the office");
    const put = (data: Buffer) =>
      fetch(`${emulator.url}/incidents(${id})/entityimage`, {
        method: "PATCH",
        headers: { "Content-Type": "application/octet-stream", "x-ms-file-name": "plan.png" },
        body: new Uint8Array(data),
      });
    expect((await put(bytesOf(8000, 4))).status).toBe(204);
    const served = emulator.row("incident", id)!.entityimage;
    expect(served).toBe(base64Of(8000, 4));

    open("images-apart-3", true);
    await api.sync.syncNow();
    const held = await onDevice("images-apart-3", id);
    expect(held.blobs).toEqual([8000]);
    expect(held.rows.includes(base64Of(8000, 4).slice(0, 1000))).toBe(false);
    expect((await api.retrieveRecord("incident", id, "?$select=entityimage")).entityimage).toBe(served);

    expect((await put(bytesOf(9000, 5))).status).toBe(204);
    await api.sync.syncNow();
    expect((await onDevice("images-apart-3", id)).blobs).toEqual([9000]);
    expect((await api.retrieveRecord("incident", id, "?$select=entityimage")).entityimage).toBe(
      base64Of(9000, 5),
    );
  });
});
