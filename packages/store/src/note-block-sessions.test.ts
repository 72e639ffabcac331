import { isBlobRef } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { noteBlocksKey } from "./note-block-sessions.ts";
import type { OfflineStore } from "./offline-store.ts";
import { acknowledge, create, openTestStore, recordFailure, remove, update } from "./testing/test-store.ts";

const NOTE = "9f0c3b9e-5a41-4a4e-9d56-1f6d2b7c0a11";
const KEY = noteBlocksKey(NOTE);
const body = (fill: number) => Buffer.alloc(5000, fill).toString("base64");

/** The Blob id the outbox entry `seq` carries as the note's body. */
async function bodyOf(store: OfflineStore, seq: number): Promise<string> {
  const entry = (await store.peekOutbox({ includeFailed: true })).find((e) => e.seq === seq);
  const ref = entry?.operation.kind === "delete" ? undefined : entry?.operation.columns.documentbody;
  if (!isBlobRef(ref)) throw new Error(`entry ${seq} carries no body`);
  return ref["@xrm-offline.blob"];
}

/** What noteBlocksSender saves after each block (sync's note-blocks.ts). */
const session = (blob: string, blocks = 2) => ({ token: "t", blob, blockBytes: 4096, size: 5000, blocks });

async function noteWithSession() {
  const t = await openTestStore();
  await t.store.write(create("annotation", { annotationid: NOTE, subject: "Photo", documentbody: body(1) }));
  await t.store.setMeta(KEY, session(await bodyOf(t.store, 1)));
  return t;
}

describe("a note's block upload session in meta", () => {
  it("leaves with the acknowledgement of the change that sent the body", async () => {
    const { store } = await noteWithSession();
    await acknowledge(store, [1], { etag: 'W/"5"' });
    expect(await store.getMeta(KEY)).toBeUndefined();
  });

  it("stays while a queued change still carries its body, when another change is acknowledged", async () => {
    const { store } = await openTestStore();
    await store.write(create("annotation", { annotationid: NOTE, subject: "Photo" }));
    await store.write(update("annotation", NOTE, { documentbody: body(2) }));
    const saved = session(await bodyOf(store, 2));
    await store.setMeta(KEY, saved);
    await acknowledge(store, [1], { etag: 'W/"5"' });
    expect(await store.getMeta(KEY)).toEqual(saved);
  });

  it("an entry without a body id (the null a commit used to leave) goes with the next acknowledgement", async () => {
    const { store } = await openTestStore();
    await store.write(create("annotation", { annotationid: NOTE, subject: "Photo" }));
    await store.setMeta(KEY, null);
    await acknowledge(store, [1], { etag: 'W/"5"' });
    expect(await store.getMeta(KEY)).toBeUndefined();
  });

  it("stays with a failure kept for a retry, and leaves when the failure is discarded", async () => {
    const { store } = await noteWithSession();
    const saved = await store.getMeta(KEY);
    await recordFailure(store, 1, { errorCode: 0x80040203, message: "refused", httpStatus: 400 });
    expect(await store.getMeta(KEY)).toEqual(saved);
    expect(await store.discardFailure("1")).toEqual({ discarded: [1] });
    expect(await store.getMeta(KEY)).toBeUndefined();
  });

  it("a discarded update's session goes, a later change's session of another body stays", async () => {
    const { store } = await openTestStore();
    await store.write(create("annotation", { annotationid: NOTE, subject: "Photo" }));
    await acknowledge(store, [1], { etag: 'W/"5"' });
    await store.write(update("annotation", NOTE, { documentbody: body(3) }));
    await store.setMeta(KEY, session(await bodyOf(store, 2)));
    await recordFailure(store, 2, { errorCode: 0x80040203, message: "refused", httpStatus: 400 });
    await store.discardFailure("2");
    expect(await store.getMeta(KEY)).toBeUndefined();

    // Another failed update, then a new body queued and under way: discarding the failure keeps it.
    await store.write(update("annotation", NOTE, { subject: "Photo 2" }));
    await recordFailure(store, 3, { errorCode: 0x80040203, message: "refused", httpStatus: 400 });
    await store.write(update("annotation", NOTE, { documentbody: body(4) }));
    const later = session(await bodyOf(store, 4));
    await store.setMeta(KEY, later);
    await store.discardFailure("3");
    expect(await store.getMeta(KEY)).toEqual(later);
  });

  it("a local delete drops a session nothing sends any more, and keeps one whose change is still queued", async () => {
    const { store } = await noteWithSession();
    const queued = await store.getMeta(KEY);
    // The create (with the body) is still queued: it goes before the delete, and resumes.
    await store.write(remove("annotation", NOTE));
    expect(await store.getMeta(KEY)).toEqual(queued);

    const other = "0b8c1f43-2d7e-4f0a-9a5b-6c3d2e1f0a99";
    await store.write(create("annotation", { annotationid: other, subject: "Other" }));
    await acknowledge(store, [3], { etag: 'W/"6"' });
    // Left behind by a body nothing carries (saved after a discard in another tab, say).
    await store.setMeta(noteBlocksKey(other), session("annotation|gone|documentbody|1"));
    await store.write(remove("annotation", other));
    expect(await store.getMeta(noteBlocksKey(other))).toBeUndefined();
  });
});
