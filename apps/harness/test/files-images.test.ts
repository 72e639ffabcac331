// Custom image columns (`new_photo`) over HTTP (issue 17): known from the metadata like
// `entityimage` — no declaration needed — set offline and uploaded after the create, read back by
// their `<column>id`, downloaded full-sized; MaxSizeInKB 10,240 unless declared, at most 30,720.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverIncident } from "./seed-records.ts";

/** An image column as Dataverse's CSDL shows it: the Edm.Binary property and its three companions. */
const image = (name: string) => [
  { name, type: "Edm.Binary" as const },
  { name: `${name}id`, type: "Edm.Guid" as const },
  { name: `${name}_timestamp`, type: "Edm.Int64" as const },
  { name: `${name}_url`, type: "Edm.String" as const },
];

const metadata = bundledMetadata().extend({
  entities: [
    {
      logicalName: "incident",
      attributes: [
        ...image("new_photo"),
        ...image("new_badge"),
        ...image("new_scan"),
        { name: "new_blob", type: "Edm.Binary" },
      ],
    },
  ],
});

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

const read = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ metadata });
});
afterAll(() => emulator.close());

describe("custom image columns", () => {
  let api: OfflineWebApi;
  let online: BehaviorSubject<boolean>;
  afterEach(async () => {
    await api?.close();
  });

  const open = (name: string, connected: boolean) => {
    online = new BehaviorSubject(connected);
    api = createWebApi({
      metadata,
      serverUrl: emulator.url,
      databaseName: name,
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      connectivity: online,
      offlineTables: { incident: {} },
      // Image columns need no declaration; these only raise (and over-raise) MaxSizeInKB.
      fileColumns: { incident: { new_badge: { maxSizeInKB: 30_720 }, new_scan: { maxSizeInKB: 50_000 } } },
      sync: {
        autoStart: false,
        retry: { baseMs: 1, capMs: 5 },
        uploadChunkBytes: 4096,
        downloadChunkBytes: 4096,
      },
    });
    return api;
  };

  it("sets a custom image offline, uploads it after the create, and keeps its image id", async () => {
    open("images-1", false);
    // Not on an offline create: Dataverse takes only the primary image on create, and offline not even that.
    const onCreate = await api
      .createRecord("incident", { title: "x", new_photo: Buffer.from("png").toString("base64") })
      .catch((e) => e);
    expect(onCreate.errorCode).toBe(0x80040315);
    expect(await api.sync.pendingCount()).toBe(0);
    const { id } = await api.createRecord("incident", { title: "Site visit" });
    const photo = bytes(10_000, 1);
    await api.files.set("incident", id, "new_photo", new Blob([photo], { type: "image/jpeg" }), {
      fileName: "site.jpg",
    });
    expect(await api.files.get("incident", id, "new_photo")).toMatchObject({
      fileName: "site.jpg",
      mimeType: "image/jpeg",
      size: 10_000,
      state: "pending",
    });

    emulator.requestLog.clear();
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
    const served = await fetch(`${emulator.url}/incidents(${id})/new_photo/$value?size=full`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(photo);
    const log = emulator.requestLog.entries();
    expect(log[0]!.method).toBe("POST");
    expect(log.filter((e) => e.headers["content-range"]).map((e) => e.headers["content-range"])).toEqual([
      "bytes 0-4095/10000",
      "bytes 4096-8191/10000",
      "bytes 8192-9999/10000",
    ]);
    // The image's marker is read back from the row: `new_photoid`, as for entityimage's `entityimageid`.
    expect(log.map((e) => e.url)).toContainEqual(expect.stringContaining(`$select=new_photoid`));
    const [upload] = await api.files.uploads();
    expect(upload).toMatchObject({ column: "new_photo", state: "uploaded" });
    expect(upload!.serverVersion).toBe(emulator.row("incident", id)!.new_photoid);
  });

  it("downloads a custom image set elsewhere full-sized, and fetches it again once replaced", async () => {
    const id = await serverIncident(emulator, "Photo elsewhere");
    const put = (data: Uint8Array<ArrayBuffer>, name: string) =>
      fetch(`${emulator.url}/incidents(${id})/new_photo`, {
        method: "PATCH",
        headers: { "Content-Type": "application/octet-stream", "x-ms-file-name": name },
        body: new Blob([data]),
      });
    const first = bytes(6000, 2);
    expect((await put(first, "a.png")).status).toBe(204);
    open("images-2", true);
    await api.sync.syncNow();

    emulator.requestLog.clear();
    const got = await api.files.get("incident", id, "new_photo");
    expect(got).toMatchObject({ fileName: "a.png", mimeType: "image/png", size: 6000, state: "downloaded" });
    expect(await read(got!.blob)).toEqual(first);
    expect(emulator.requestLog.entries().map((e) => e.url)).toEqual([
      expect.stringContaining(`incidents(${id})/new_photo/$value?size=full`),
      expect.stringContaining(`incidents(${id})/new_photo/$value?size=full`),
    ]);

    const second = bytes(3000, 3);
    expect((await put(second, "b.png")).status).toBe(204);
    await api.sync.syncNow();
    const again = await api.files.get("incident", id, "new_photo");
    expect(again).toMatchObject({ fileName: "b.png", size: 3000 });
    expect(await read(again!.blob)).toEqual(second);
  });

  it("holds image columns to 10,240 KB, or the declared MaxSizeInKB up to 30,720, storing nothing when refused", async () => {
    open("images-3", false);
    const { id } = await api.createRecord("incident", { title: "Sizes" });
    const blob = (kb: number, extra: number) => new Blob([new Uint8Array(kb * 1024 + extra)]);
    const set = (column: string, file: Blob) =>
      api.files.set("incident", id, column, file, { fileName: "p.png" }).then(
        () => "stored",
        (e) => e.errorCode,
      );
    // ProcessImageFailure, the code "Use image column data" gives for an image over MaxSizeInKB.
    expect(await set("new_photo", blob(10_240, 1))).toBe(0x80072553);
    expect(await set("new_scan", blob(30_720, 1))).toBe(0x80072553); // declared 50,000: capped
    expect(await set("new_blob", blob(1, 0))).toBe(0x80040203); // Edm.Binary, but not an image column
    expect(await api.files.uploads()).toEqual([]);
    expect(await set("new_badge", blob(10_240, 1))).toBe("stored");
    expect(await set("new_photo", blob(10_240, 0))).toBe("stored");
    expect((await api.files.uploads()).map((u) => [u.column, u.size]).sort()).toEqual([
      ["new_badge", 10_240 * 1024 + 1],
      ["new_photo", 10_240 * 1024],
    ]);
  });
});
