// Notes with attachments offline (issue 17): the body is kept as a Blob apart from the row and the
// outbox entry, read back as base64 as Dataverse returns it, and sent on its own, not in a $batch.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
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
    const rows = JSON.stringify(await databaseOf(peek).records.toArray());
    const outbox = JSON.stringify(await databaseOf(peek).outbox.toArray());
    expect(rows.includes(body.slice(0, 1000))).toBe(false);
    expect(outbox.includes(body.slice(0, 1000))).toBe(false);
    expect(await databaseOf(peek).blobs.count()).toBe(1);
    expect((await databaseOf(peek).blobs.toArray())[0]!.blob.size).toBe(1_200_000);
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

  it("sizes a note that goes in blocks by the requests actually sent, and still refuses a plain record over the limit", async () => {
    // One request at most 64 KB on both sides; the org allows 1 MB attachments; blocks of 32 KB.
    const limit = 64 * 1024;
    const server = await startEmulator({ maxBodyBytes: limit, maxAttachmentBytes: 1_000_000 });
    const online = new BehaviorSubject(false);
    device = new IDBFactory();
    try {
      api = createWebApi({
        metadata: bundledMetadata(),
        serverUrl: server.url,
        databaseName: "notes-limit",
        indexedDB: device,
        IDBKeyRange,
        connectivity: online,
        maxUploadFileSize: 1_000_000,
        maxRequestBytes: limit,
        sync: {
          debounceMs: 1,
          retry: { baseMs: 1, capMs: 5 },
          autoStart: false,
          uploadChunkBytes: 32 * 1024,
        },
      });
      // 400,000 Base64 characters: the note in one request would be six times the limit.
      const body = base64Of(300_000, 4);
      const { id } = await api.createRecord("annotation", {
        subject: "Site photo",
        filename: "site.jpg",
        mimetype: "image/jpeg",
        documentbody: body,
      });
      const plain = await api
        .createRecord("incident", { title: "Long", description: "d".repeat(limit) })
        .catch((e) => e);
      expect(plain.errorCode).toBe(0x8004418a);
      expect(await api.sync.pendingCount()).toBe(1);

      online.next(true);
      expect(await api.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
      expect(server.row("annotation", id)!.documentbody).toBe(body);
      // Every request fitted the server's limit (it answers 413 above it): ten blocks of 32 KB.
      const log = server.requestLog.entries();
      expect(log.filter((e) => e.status === 413)).toEqual([]);
      expect(log.filter((e) => e.path === "UploadBlock")).toHaveLength(10);
      // The saved block session left with the acknowledgement: nothing of it stays in meta.
      expect(await metaKeys("notes-limit")).not.toContainEqual(expect.stringMatching(/^note-blocks:/));
      expect(await metaKeys("notes-limit")).toEqual(expect.arrayContaining(["sync:in-flight"]));
    } finally {
      await api.close();
      await server.close();
    }
  });

  /** The keys of the device's meta table now, through a second connection. */
  async function metaKeys(name: string): Promise<string[]> {
    const peek = await OfflineStore.open({
      name,
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    const keys = await databaseOf(peek).meta.toCollection().primaryKeys();
    await peek.close();
    return keys;
  }

  /** Sizes of the note's blobs on the device now, through a second connection (as another tab sees them). */
  async function deviceBlobs(name: string, noteId: string): Promise<number[]> {
    const peek = await OfflineStore.open({
      name,
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    const mine = await databaseOf(peek).blobs.where(":id").startsWith(`annotation|${noteId}|`).toArray();
    await peek.close();
    return mine.map((b) => b.blob.size).sort((a, b) => a - b);
  }

  it("drops a note's old body once nothing can send or restore it (a local delete at once)", async () => {
    const online = new BehaviorSubject(false);
    open("notes-3", online);
    const a = base64Of(5000, 3);
    const b = base64Of(6000, 4);
    const c = base64Of(7000, 5);
    const { id } = await api.createRecord("annotation", {
      subject: "Photo",
      filename: "a.jpg",
      documentbody: a,
    });
    // Replaced before it was sent: the queued create still carries the first body.
    await api.updateRecord("annotation", id, { documentbody: b });
    expect(await deviceBlobs("notes-3", id)).toEqual([5000, 6000]);
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 2, failed: 0 });
    expect(emulator.row("annotation", id)).toMatchObject({ documentbody: b });
    // Sent: only what the row reads is left.
    expect(await deviceBlobs("notes-3", id)).toEqual([6000]);
    online.next(false);
    await api.updateRecord("annotation", id, { documentbody: c });
    // The server's body stays while a discard of this update could go back to it.
    expect(await deviceBlobs("notes-3", id)).toEqual([6000, 7000]);
    expect((await api.retrieveRecord("annotation", id, "?$select=documentbody")).documentbody).toBe(c);
    await api.deleteRecord("annotation", id);
    // The queued update still sends the last body; once the server has both, nothing is left.
    expect(await deviceBlobs("notes-3", id)).toEqual([6000, 7000]);
    online.next(true);
    expect(await api.sync.syncNow()).toMatchObject({ pushed: 2, failed: 0 });
    expect(emulator.row("annotation", id)).toBeUndefined();
    expect(await deviceBlobs("notes-3", id)).toEqual([]);

    // A note whose changes are all on the server: deleting it drops its body at once.
    const { id: second } = await api.createRecord("annotation", { subject: "Sig", documentbody: a });
    await api.sync.syncNow();
    online.next(false);
    await api.deleteRecord("annotation", second);
    expect(await deviceBlobs("notes-3", id)).toEqual([]);
  });

  it("keeps pulled notes' bodies apart too, and replaces them when the server's change", async () => {
    const body = base64Of(8000, 6);
    const created = await fetch(`${emulator.url}/annotations`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Prefer: "return=representation" },
      body: JSON.stringify({ subject: "From the office", filename: "plan.pdf", documentbody: body }),
    });
    const noteId = ((await created.json()) as { annotationid: string }).annotationid;
    device = new IDBFactory();
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: "notes-4",
      indexedDB: device,
      IDBKeyRange,
      connectivity: new BehaviorSubject(true),
      offlineTables: ["annotation"],
      sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false },
    });
    await api.sync.syncNow();
    expect(await deviceBlobs("notes-4", noteId)).toEqual([8000]);
    const peek = await OfflineStore.open({
      name: "notes-4",
      metadata: bundledMetadata(),
      indexedDB: device,
      IDBKeyRange,
    });
    expect(JSON.stringify(await databaseOf(peek).records.toArray())).not.toContain(body.slice(0, 100));
    await peek.close();
    expect((await api.retrieveRecord("annotation", noteId, "?$select=documentbody")).documentbody).toBe(body);

    const changed = base64Of(9000, 7);
    await fetch(`${emulator.url}/annotations(${noteId})`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ documentbody: changed }),
    });
    await api.sync.syncNow();
    expect(await deviceBlobs("notes-4", noteId)).toEqual([9000]);
    expect((await api.retrieveRecord("annotation", noteId, "?$select=documentbody")).documentbody).toBe(
      changed,
    );
  });
});
