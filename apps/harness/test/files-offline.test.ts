// Files and images offline (issue 17): set while offline, bytes apart from rows and the outbox,
// uploaded after the record's create, resumed after a drop, refusals kept as failures.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { UploadTransfer } from "@xrm-offline/odata";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject, filter, firstValueFrom } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

/** The requests that reached the emulator for the `new_report` file column: method, path, status. */
function uploadRequests(): [string, string, number][] {
  return emulator.requestLog
    .entries()
    .filter((e) => e.path.includes("new_report"))
    .map((e) => [e.method, e.path, e.status]);
}

async function serverFile(emu: Emulator, path: string): Promise<Uint8Array | number> {
  const res = await fetch(`${emu.url}/${path}/$value`);
  return res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : res.status;
}

let emulator: Emulator;
beforeAll(async () => {
  // The server's limit is lower than the app believes: the refusal can only come from the server.
  emulator = await startEmulator({ fileColumns: { incident: { new_report: { maxSizeInKB: 16 } } } });
});
afterAll(() => emulator.close());

describe("files and images offline", () => {
  let api: OfflineWebApi;
  let online: BehaviorSubject<boolean>;
  afterEach(() => api?.close());

  const open = (name: string) => {
    online = new BehaviorSubject(false);
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: name,
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      connectivity: online,
      fileColumns: { incident: { new_report: { maxSizeInKB: 64 } } },
      sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false, uploadChunkBytes: 4096 },
    });
    return api;
  };

  it("sets an image and a file offline, reads them back, and uploads them after the create", async () => {
    open("files-1");
    const { id } = await api.createRecord("incident", { title: "Broken pump" });
    const photo = bytes(10_000, 1);
    const report = bytes(6000, 2);
    await api.files.set("incident", id, "entityimage", new Blob([photo], { type: "image/jpeg" }), {
      fileName: "pump.jpg",
    });
    await api.files.set("incident", id, "new_report", new Blob([report]), { fileName: "report.pdf" });
    const local = await api.files.get("incident", id, "entityimage");
    expect(local).toMatchObject({
      fileName: "pump.jpg",
      mimeType: "image/jpeg",
      size: 10_000,
      state: "pending",
    });
    expect(new Uint8Array(await local!.blob.arrayBuffer())).toEqual(photo);

    emulator.requestLog.clear();
    online.next(true);
    const report1 = await api.sync.syncNow();
    expect(report1).toMatchObject({ pushed: 1, failed: 0 });
    expect(await serverFile(emulator, `incidents(${id})/entityimage`)).toEqual(photo);
    expect(await serverFile(emulator, `incidents(${id})/new_report`)).toEqual(report);
    // The create went first; then the files, the image in chunks of 4 KB.
    const log = emulator.requestLog.entries().filter((e) => e.method !== "GET");
    expect(log[0]!.method).toBe("POST");
    expect(log.filter((e) => e.headers["content-range"]).map((e) => e.headers["content-range"])).toEqual([
      "bytes 0-4095/10000",
      "bytes 4096-8191/10000",
      "bytes 8192-9999/10000",
      "bytes 0-4095/6000",
      "bytes 4096-5999/6000",
    ]);
    expect((await api.files.get("incident", id, "entityimage"))?.state).toBe("uploaded");
  });

  it("refuses at the call what can't be stored or sent, storing nothing", async () => {
    open("files-2");
    const { id } = await api.createRecord("incident", { title: "x" });
    const tooBig = await api.files
      .set("incident", id, "new_report", new Blob([bytes(64 * 1024 + 1, 0)]), { fileName: "a.bin" })
      .catch((e) => e);
    expect(tooBig.errorCode).toBe(0x80044a02);
    const notAColumn = await api.files
      .set("incident", id, "title", new Blob(["x"]), { fileName: "a" })
      .catch((e) => e);
    expect(notAColumn.errorCode).toBe(0x80040203);
    const noRecord = await api.files
      .set("incident", "00000000-0000-0000-0000-00000000000a", "entityimage", new Blob(["x"]), {
        fileName: "a",
      })
      .catch((e) => e);
    expect(noRecord.errorCode).toBe(0x80040217);
    const noName = await api.files.set("incident", id, "entityimage", new Blob(["x"])).catch((e) => e);
    expect(noName.errorCode).toBe(0x80040203);
    expect(await api.files.uploads()).toEqual([]);
  });

  it("resumes an upload cut by a dropped connection without resending finished chunks", async () => {
    open("files-3");
    const { id } = await api.createRecord("incident", { title: "Resume" });
    online.next(true);
    await api.sync.syncNow();
    const file = bytes(12_000, 3);
    await api.files.set("incident", id, "new_report", new Blob([file]), { fileName: "long.pdf" });
    emulator.requestLog.clear();
    // Session opened, first chunk taken; the second chunk's connection drops before the server reads it.
    emulator.faults.set({
      appliesTo: (req) => req.method === "PATCH" && req.path.includes("new_report"),
      script: ["pass", "pass", "reset-before"],
    });
    await api.sync.syncNow();
    expect((await api.files.uploads())[0]).toMatchObject({ state: "pending", progress: { sentBytes: 4096 } });
    emulator.faults.clear();
    await api.sync.syncNow();
    expect(await serverFile(emulator, `incidents(${id})/new_report`)).toEqual(file);
    const ranges = emulator.requestLog
      .entries()
      .map((e) => e.headers["content-range"])
      .filter(Boolean);
    expect(ranges).toEqual([
      "bytes 0-4095/12000",
      "bytes 4096-8191/12000",
      "bytes 4096-8191/12000",
      "bytes 8192-11999/12000",
    ]);
  });
  it("resumes a note's block upload after a dropped connection and a reload, sending no block twice", async () => {
    const factory = new IDBFactory();
    const reopen = () =>
      createWebApi({
        metadata: bundledMetadata(),
        serverUrl: emulator.url,
        databaseName: "files-6",
        indexedDB: factory,
        IDBKeyRange,
        connectivity: new BehaviorSubject(true),
        sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, autoStart: false, uploadChunkBytes: 4096 },
      });
    api = reopen();
    const body = Buffer.from(bytes(10_000, 9)).toString("base64");
    const { id } = await api.createRecord("annotation", {
      subject: "Site",
      filename: "site.jpg",
      documentbody: body,
    });
    emulator.requestLog.clear();
    // The first block is taken; the second one's connection drops before the server reads it.
    emulator.faults.set({ appliesTo: (req) => req.path === "UploadBlock", script: ["pass", "reset-before"] });
    const first = await api.sync.syncNow();
    expect(first.pending).toBe(1);
    emulator.faults.clear();
    await api.close();

    api = reopen(); // a reload: a new engine over the same database
    await api.sync.syncNow();
    expect(emulator.row("annotation", id)).toMatchObject({ documentbody: body, filesize: 10_000 });
    const sent = emulator.requestLog.entries().map((e) => {
      const block = e.path === "UploadBlock" ? (JSON.parse(e.body) as { BlockId: string }).BlockId : "";
      return [e.path, block && Buffer.from(block, "base64").toString("utf8"), e.status];
    });
    expect(sent).toEqual([
      ["InitializeAnnotationBlocksUpload", "", 200],
      ["UploadBlock", "xrm-offline-block-00000000", 204],
      ["UploadBlock", "xrm-offline-block-00000001", 0],
      ["UploadBlock", "xrm-offline-block-00000001", 204],
      ["UploadBlock", "xrm-offline-block-00000002", 204],
      ["CommitAnnotationBlocksUpload", "", 200],
    ]);
  });

  it("updates a note's body in blocks when the server still has the note, and refuses when it is gone", async () => {
    open("files-7");
    online.next(true);
    const { id } = await api.createRecord("annotation", { subject: "Before", documentbody: "aGVsbG8=" });
    await api.sync.syncNow();
    const body = Buffer.from(bytes(9000, 10)).toString("base64");
    await api.updateRecord("annotation", id, { subject: "After", documentbody: body });
    emulator.requestLog.clear();
    await api.sync.syncNow();
    expect(
      emulator.requestLog.entries().map((e) => [e.method, e.path.replace(/\(.*\)/, "(id)"), e.status]),
    ).toEqual([
      ["GET", "annotations(id)", 200],
      ["POST", "InitializeAnnotationBlocksUpload", 200],
      ["POST", "UploadBlock", 204],
      ["POST", "UploadBlock", 204],
      ["POST", "UploadBlock", 204],
      ["POST", "CommitAnnotationBlocksUpload", 200],
    ]);
    expect(emulator.row("annotation", id)).toMatchObject({
      subject: "After",
      documentbody: body,
      filesize: 9000,
    });

    // Deleted on the server meanwhile: the update fails as an update would (no note brought back).
    await fetch(`${emulator.url}/annotations(${id})`, { method: "DELETE" });
    await api.updateRecord("annotation", id, {
      documentbody: Buffer.from(bytes(9000, 11)).toString("base64"),
    });
    emulator.requestLog.clear();
    await api.sync.syncNow();
    expect(emulator.requestLog.entries().map((e) => [e.method, e.status])).toEqual([["GET", 404]]);
    expect(emulator.row("annotation", id)).toBeUndefined();
    const [failure] = await api.sync.failures();
    expect(failure).toMatchObject({ recordId: id, errorType: 1 });
  });

  it("keeps the server's refusal as a failure with retry and discard, counted in status$ and syncNow", async () => {
    open("files-4");
    const counts = (pending: number, failed: number) =>
      firstValueFrom(api.sync.status$.pipe(filter((s) => s.pending === pending && s.failed === failed)));
    const { id } = await api.createRecord("incident", { title: "Refused" });
    online.next(true);
    await api.sync.syncNow();

    // Set offline: the file waits, and counts as pending like a queued write.
    online.next(false);
    await api.files.set("incident", id, "new_report", new Blob([bytes(20_000, 4)]), { fileName: "big.pdf" });
    expect(await api.sync.syncNow()).toEqual({ pushed: 0, failed: 0, conflicts: 0, pending: 1 });
    await counts(1, 0);
    expect(await api.sync.pendingCount()).toBe(1);

    // Online: the server refuses it (its limit is 16 KB): a failure, counted as one.
    emulator.requestLog.clear();
    online.next(true);
    expect(await api.sync.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 0, pending: 0 });
    await counts(0, 1);
    // The chunked session opens, and the first chunk is refused (the file is over the limit).
    const column = `incidents(${id})/new_report`;
    const refusal = [
      ["PATCH", column, 200],
      ["PATCH", column, 400],
    ];
    expect(uploadRequests()).toEqual(refusal);
    const failures = await api.sync.failures();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      action: "Upload",
      entity: "incident",
      recordId: id,
      errorCode: 0x80044a02,
    });

    // Retried while offline: pending again, no failure left.
    online.next(false);
    await api.sync.retry(failures[0]!.id);
    await counts(1, 0);
    expect(await api.sync.failures()).toEqual([]);

    // Back online it is sent again (the same requests reach the server) and refused again.
    emulator.requestLog.clear();
    online.next(true);
    expect(await api.sync.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 0, pending: 0 });
    expect(uploadRequests()).toEqual(refusal);
    await counts(0, 1);
    expect((await api.sync.failures())[0]?.errorCode).toBe(0x80044a02);

    // Discarded: out of the counts, off the device, never on the server.
    await api.sync.discard((await api.sync.failures())[0]!.id);
    await counts(0, 0);
    expect(await api.sync.failures()).toEqual([]);
    expect(await api.files.uploads()).toEqual([]);
    expect(await serverFile(emulator, `incidents(${id})/new_report`)).toBe(404);
  });

  it("shows each file's acknowledged bytes in status$.uploads, chunk by chunk, a note's on its ack", async () => {
    open("files-5");
    const { id } = await api.createRecord("incident", { title: "Progress" });
    online.next(true);
    await api.sync.syncNow();
    await api.files.set("incident", id, "entityimage", new Blob([bytes(10_000, 5)]), { fileName: "a.jpg" });
    await api.files.set("incident", id, "new_report", new Blob([bytes(5000, 6)]), { fileName: "b.pdf" });
    const seen: (readonly UploadTransfer[])[] = [];
    const sub = api.sync.status$.subscribe((s) => {
      if (JSON.stringify(s.uploads) !== JSON.stringify(seen.at(-1))) seen.push(s.uploads);
    });
    await api.sync.syncNow();
    const image = (sentBytes: number) => ({
      entity: "incident",
      recordId: id,
      column: "entityimage",
      fileName: "a.jpg",
      sentBytes,
      totalBytes: 10_000,
    });
    const report = (sentBytes: number) => ({
      entity: "incident",
      recordId: id,
      column: "new_report",
      fileName: "b.pdf",
      sentBytes,
      totalBytes: 5000,
    });
    // Both files wait from the start of the round; each 4 KB chunk the server takes shows.
    expect(seen).toEqual([
      [],
      [image(0)],
      [image(0), report(0)],
      [image(4096), report(0)],
      [image(8192), report(0)],
      [image(10_000), report(0)],
      [report(0)],
      [report(4096)],
      [report(5000)],
      [],
    ]);

    // A note whose body is more than one block (4 KB here, 4 MB by default) goes with the block
    // messages ("Use file data with Attachment and Note records"): its bytes show block by block.
    seen.length = 0;
    emulator.requestLog.clear();
    const body = Buffer.from(bytes(6000, 7)).toString("base64");
    const { id: noteId } = await api.createRecord("annotation", {
      subject: "Signature",
      filename: "signature.png",
      documentbody: body,
    });
    await api.sync.syncNow();
    sub.unsubscribe();
    const note = (sentBytes: number) => ({
      entity: "annotation",
      recordId: noteId,
      column: "documentbody",
      fileName: "signature.png",
      sentBytes,
      totalBytes: 6000,
    });
    expect(seen).toEqual([[], [note(0)], [note(4096)], [note(6000)], []]);
    expect(emulator.requestLog.entries().map((e) => [e.method, e.path, e.status])).toEqual([
      ["POST", "InitializeAnnotationBlocksUpload", 200],
      ["POST", "UploadBlock", 204],
      ["POST", "UploadBlock", 204],
      ["POST", "CommitAnnotationBlocksUpload", 200],
    ]);
    expect(emulator.row("annotation", noteId)).toMatchObject({
      subject: "Signature",
      filename: "signature.png",
      documentbody: body,
      filesize: 6000,
    });

    // A body of one block or less goes inside the note's own request: all its bytes on the ack.
    seen.length = 0;
    emulator.requestLog.clear();
    const small = Buffer.from(bytes(4000, 8)).toString("base64");
    const { id: smallId } = await api.createRecord("annotation", { subject: "Small", documentbody: small });
    const sub2 = api.sync.status$.subscribe((s) => {
      if (JSON.stringify(s.uploads) !== JSON.stringify(seen.at(-1))) seen.push(s.uploads);
    });
    await api.sync.syncNow();
    sub2.unsubscribe();
    const smallNote = (sentBytes: number) => ({
      entity: "annotation",
      recordId: smallId,
      column: "documentbody",
      fileName: "",
      sentBytes,
      totalBytes: 4000,
    });
    expect(seen).toEqual([[], [smallNote(0)], [smallNote(4000)], []]);
    expect(emulator.requestLog.entries().map((e) => [e.method, e.path])).toEqual([["POST", "annotations"]]);
    expect(emulator.row("annotation", smallId)?.documentbody).toBe(small);
  });
});
