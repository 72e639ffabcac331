// Notes with attachments offline (issue 17): the body is kept as a Blob apart from the row and the
// outbox entry, read back as base64 as Dataverse returns it, and sent on its own, not in a $batch.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

function base64Of(n: number, seed: number): string {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 17 + seed) % 251;
  return b.toString("base64");
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ maxAttachmentBytes: 2_000_000 });
});
afterAll(() => emulator.close());

describe("notes with attachments offline", () => {
  let api: OfflineWebApi;
  let device: IDBFactory;
  afterEach(() => api?.close());
  const open = (name: string, online: BehaviorSubject<boolean>) => {
    device = new IDBFactory();
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: name,
      indexedDB: device,
      IDBKeyRange,
      connectivity: online,
      maxUploadFileSize: 1_500_000,
      sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false },
    });
  };

  it("keeps the body apart, reads it back whole, and sends the note alone", async () => {
    const online = new BehaviorSubject(false);
    open("notes-1", online);
    const { id: caseId } = await api.createRecord("incident", { title: "Photo" });
    // Over 1,048,576 characters: above the text column cap, within the attachment limit.
    const body = base64Of(1_200_000, 1);
    expect(body.length).toBeGreaterThan(1_048_576);
    const { id: noteId } = await api.createRecord("annotation", {
      subject: "Site photo",
      filename: "site.jpg",
      mimetype: "image/jpeg",
      documentbody: body,
      "objectid_incident@odata.bind": `/incidents(${caseId})`,
    });
    for (let i = 0; i < 3; i++) await api.createRecord("incident", { title: `other ${i}` });

    const read = await api.retrieveRecord("annotation", noteId, "?$select=documentbody,filename");
    expect(read.documentbody).toBe(body);
    expect(read.filename).toBe("site.jpg");
    const page = await api.retrieveMultipleRecords("annotation", "?$select=documentbody");
    expect(page.entities[0]?.documentbody).toBe(body);

    // On the device the row and the outbox entry hold only a reference.
    const store = await OfflineStore.open({
      name: "notes-1-peek",
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    await store.close();
    const peek = await OfflineStore.open({
      name: "notes-1",
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    const rows = JSON.stringify(await peek.database.records.toArray());
    const outbox = JSON.stringify(await peek.database.outbox.toArray());
    expect(rows.includes(body.slice(0, 1000))).toBe(false);
    expect(outbox.includes(body.slice(0, 1000))).toBe(false);
    expect(await peek.database.blobs.count()).toBe(1);
    expect((await peek.database.blobs.toArray())[0]!.blob.size).toBe(1_200_000);
    await peek.close();

    emulator.requestLog.clear();
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 5, failed: 0 });
    expect(emulator.row("annotation", noteId)).toMatchObject({ documentbody: body, filesize: 1_200_000 });
    const writes = emulator.requestLog.entries().filter((e) => e.method === "POST");
    const alone = writes.filter((e) => e.path === "annotations");
    expect(alone).toHaveLength(1);
    expect(
      writes.filter((e) => e.path === "$batch").every((e) => !(e.body ?? "").includes(body.slice(0, 100))),
    ).toBe(true);
  });

  it("refuses at the call an attachment over the org's limit or not in base64, writing nothing", async () => {
    open("notes-2", new BehaviorSubject(false));
    const tooBig = await api
      .createRecord("annotation", { subject: "x", documentbody: base64Of(1_500_001, 2) })
      .catch((e) => e);
    expect(tooBig.errorCode).toBe(0x80044a02);
    const notBase64 = await api
      .createRecord("annotation", { subject: "x", documentbody: "¡not base64!" })
      .catch((e) => e);
    expect(notBase64.errorCode).toBe(0x80040203);
    expect(await api.sync.pendingCount()).toBe(0);
    expect((await api.retrieveMultipleRecords("annotation")).entities).toEqual([]);
  });
});
