import { describe, expect, it } from "vitest";
import { FileUploadStore } from "./file-uploads.ts";
import { databaseOf } from "./offline-store.ts";
import { faultInjection } from "./testing/fault-injection.ts";
import { ACCOUNT, create, openTestStore, remove } from "./testing/test-store.ts";

const OTHER = "00000000-0000-4000-8000-0000000000b2";

let n = 0;
const ids = () => `blob-${++n}`;

async function setup() {
  const { store, reopen } = await openTestStore();
  const files = new FileUploadStore(databaseOf(store), () => new Date("2025-01-02T03:04:05.000Z"), ids);
  return { store, files, reopen };
}

const target = (fileName = "face.png") => ({
  entity: "account",
  recordId: ACCOUNT,
  column: "entityimage",
  fileName,
  mimeType: "image/png",
});

describe("FileUploadStore", () => {
  it("keeps the bytes apart from the record and the outbox, and reads them back", async () => {
    const { store, files } = await setup();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    const upload = await files.set(target(), new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }));
    expect(upload).toMatchObject({
      state: "pending",
      size: 3,
      attempts: 0,
      id: `account|${ACCOUNT}|entityimage`,
    });
    const local = await files.file("account", ACCOUNT, "entityimage");
    expect(local?.fileName).toBe("face.png");
    expect(new Uint8Array(await local!.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    const row = await store.getRecordRow("account", ACCOUNT);
    expect(JSON.stringify(row)).not.toContain("face.png");
    expect(await databaseOf(store).blobs.count()).toBe(1);
  });

  it("refuses a file for a record the device doesn't have, writing nothing", async () => {
    const { store, files } = await setup();
    const error = await files.set(target(), new Blob(["x"])).catch((e) => e);
    expect(error.errorCode).toBe(0x80040217);
    expect(await databaseOf(store).blobs.count()).toBe(0);
    expect(await databaseOf(store).uploads.count()).toBe(0);
  });

  it("waits for the record's create to be acknowledged; a second set replaces the first and its bytes", async () => {
    const { store, files } = await setup();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    const first = await files.set(target("a.png"), new Blob(["first"]));
    expect(await files.ready()).toEqual([]); // created offline, not on the server yet
    await databaseOf(store).records.update(["account", ACCOUNT], { _server: {} });
    const second = await files.set(target("b.png"), new Blob(["second!"]));
    expect((await files.ready()).map((u) => u.fileName)).toEqual(["b.png"]);
    expect(await databaseOf(store).blobs.count()).toBe(1);
    // The engine still holding the first upload can't overwrite the second.
    expect(await files.saveProgress(first, { sentBytes: 5 })).toBe(false);
    expect(await files.finish(first)).toBe(false);
    expect(await files.saveProgress(second, { location: "x", chunkSize: 4, sentBytes: 4 })).toBe(true);
    expect((await files.ready())[0]?.progress).toEqual({ location: "x", chunkSize: 4, sentBytes: 4 });
    expect(await files.finish(second)).toBe(true);
    const done = await files.file("account", ACCOUNT, "entityimage");
    expect(done?.state).toBe("uploaded");
    expect(await files.ready()).toEqual([]);
  });

  it("keeps a refused upload as a failure until retried or discarded", async () => {
    const { store, files } = await setup();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await databaseOf(store).records.update(["account", ACCOUNT], { _server: {} });
    const upload = await files.set(target(), new Blob(["x"]));
    expect(await files.counts()).toEqual({ pending: 1, failed: 0 });
    const error = { errorCode: 0x80044a02, code: "0x80044a02", message: "too big", httpStatus: 400 };
    expect(await files.fail(upload, error)).toBe(true);
    expect(await files.ready()).toEqual([]);
    expect((await files.list())[0]).toMatchObject({ state: "failed", error });
    expect(await files.counts()).toEqual({ pending: 0, failed: 1 });
    await files.retry(upload.id);
    expect((await files.ready()).map((u) => u.state)).toEqual(["pending"]);
    expect(await files.counts()).toEqual({ pending: 1, failed: 0 });
    await files.discard(upload.id);
    expect(await files.list()).toEqual([]);
    expect(await files.counts()).toEqual({ pending: 0, failed: 0 });
    expect(await databaseOf(store).blobs.count()).toBe(0);
    expect((await files.retry(upload.id).catch((e) => e)).errorCode).toBe(0x80040217);
  });

  it("drops a deleted record's files and uploads in the delete's own transaction", async () => {
    const { store, files } = await setup();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await store.write(create("account", { accountid: OTHER, name: "B" }));
    await databaseOf(store).records.update(["account", ACCOUNT], { _server: {} });
    const uploaded = await files.set(target("logo.png"), new Blob(["uploaded"]));
    await files.finish(uploaded);
    await files.set({ ...target("plan.pdf"), column: "new_plan" }, new Blob(["pending"]));
    await files.set({ ...target("other.png"), recordId: OTHER }, new Blob(["other"]));
    await store.write(remove("account", ACCOUNT));
    // Nothing else ran (no upload round): the delete alone took the record's files away.
    expect((await databaseOf(store).uploads.toArray()).map((u) => u.fileName)).toEqual(["other.png"]);
    expect(await databaseOf(store).blobs.count()).toBe(1);
    expect(await files.file("account", ACCOUNT, "entityimage")).toBeUndefined();
  });

  it("drops the files of a record the server deleted, in the pull's transaction", async () => {
    const { store, files } = await setup();
    await store.applyServerRows("account", [{ accountid: ACCOUNT, name: "A" }]);
    const uploaded = await files.set(target(), new Blob(["x"]));
    await files.finish(uploaded);
    await store.applyServerRows("account", [], { removedIds: [ACCOUNT] });
    expect(await databaseOf(store).uploads.count()).toBe(0);
    expect(await databaseOf(store).blobs.count()).toBe(0);
  });

  it("keeps the files when the delete's transaction aborts", async () => {
    const fail = { on: false };
    const { store } = await openTestStore({
      addons: [
        faultInjection({
          fail: (table) => (fail.on && table === "outbox" ? new Error("disk gone") : undefined),
        }),
      ],
    });
    const files = new FileUploadStore(databaseOf(store), () => new Date(), ids);
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await files.set(target(), new Blob(["x"]));
    fail.on = true;
    await expect(store.write(remove("account", ACCOUNT))).rejects.toBeDefined();
    fail.on = false;
    expect(await databaseOf(store).uploads.count()).toBe(1);
    expect(await databaseOf(store).blobs.count()).toBe(1);
    expect((await store.getRecordRow("account", ACCOUNT))?._deleted).toBe(false);
  });

  it("survives a reopen with its progress", async () => {
    const { store, files, reopen } = await setup();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await databaseOf(store).records.update(["account", ACCOUNT], { _server: {} });
    const upload = await files.set(target(), new Blob(["0123456789"]));
    await files.saveProgress(upload, { location: "loc", chunkSize: 4, sentBytes: 8 });
    await store.close();
    const again = await reopen();
    const reopened = new FileUploadStore(databaseOf(again), () => new Date(), ids);
    expect((await reopened.ready())[0]?.progress?.sentBytes).toBe(8);
    await again.close();
  });

  it("announces a set, a retry and a discard as a files change, not the engine's own steps", async () => {
    const { store } = await openTestStore();
    const files = store.fileUploads(ids);
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    const seen: string[] = [];
    const unsubscribe = store.subscribe((change) => seen.push(change));
    const upload = await files.set(target(), new Blob(["png"]));
    expect(seen).toEqual(["files"]);
    await files.markAttempt(upload);
    await files.saveProgress(upload, { sentBytes: 1 });
    await files.fail(upload, {
      errorCode: 0x80044a02,
      code: "0x80044a02",
      message: "too big",
      httpStatus: 400,
    });
    expect(seen).toEqual(["files"]);
    await files.retry(upload.id);
    await files.discard(upload.id);
    expect(seen).toEqual(["files", "files", "files"]);
    // Refused (nothing to retry): nothing changed, nothing announced.
    await expect(files.retry(upload.id)).rejects.toMatchObject({ errorCode: 0x80040217 });
    expect(seen).toHaveLength(3);
    unsubscribe();
    await store.close();
  });
});
