import { isBlobRef } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { withBlobsInline } from "./binary-blobs.ts";
import { databaseOf, type OfflineStore } from "./offline-store.ts";
import { acknowledge, create, metadata, openTestStore, update } from "./testing/test-store.ts";

const INCIDENT = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";

/** `n` bytes as base64 (4,096 characters and more from 3,072 bytes on). */
function base64Of(n: number, seed: number): string {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) % 251;
  return b.toString("base64");
}

/** The raw stored rows and outbox entries, as IndexedDB holds them. */
async function raw(store: OfflineStore): Promise<{ rows: string; outbox: string }> {
  const db = databaseOf(store);
  return {
    rows: JSON.stringify(await db.records.toArray()),
    outbox: JSON.stringify(await db.outbox.toArray()),
  };
}

const blobSizes = async (store: OfflineStore) =>
  (await databaseOf(store).blobs.toArray()).map((b) => b.blob.size).sort((a, b) => a - b);

const seqs = async (store: OfflineStore) => (await store.peekOutbox()).map((e) => e.seq);

/** The image column as a read gives it back: base64 again. */
async function readImage(store: OfflineStore, entity: string, id: string): Promise<unknown> {
  const record = (await store.getRecord(entity, id))!;
  return (await withBlobsInline(record, (blobId) => store.blob(blobId))).entityimage;
}

describe("image columns kept apart as Blobs, like notes' bodies", () => {
  it("an image set by an update leaves the row and the outbox entry for the blobs table, in the same write", async () => {
    const { store } = await openTestStore();
    await store.write(create("incident", { incidentid: INCIDENT, title: "Site" }));
    const image = base64Of(5000, 1);
    await store.write(update("incident", INCIDENT, { entityimage: image }));

    const { rows, outbox } = await raw(store);
    expect(rows.includes(image.slice(0, 200))).toBe(false);
    expect(outbox.includes(image.slice(0, 200))).toBe(false);
    expect(await blobSizes(store)).toEqual([5000]);
    const [, entry] = await store.peekOutbox();
    const ref = entry!.operation.kind === "update" ? entry!.operation.columns.entityimage : undefined;
    expect(ref).toEqual({
      "@xrm-offline.blob": expect.stringMatching(/^incident\|[^|]+\|entityimage\|/),
      size: 5000,
    });
    expect(await readImage(store, "incident", INCIDENT)).toBe(image);
  });

  it("keeps an image under 4,096 base64 characters inline, and any other Edm.Binary column inline", async () => {
    const md = metadata.extend({
      entities: [{ logicalName: "incident", attributes: [{ name: "new_blob", type: "Edm.Binary" }] }],
    });
    const { store } = await openTestStore({ metadata: md });
    await store.write(create("incident", { incidentid: INCIDENT, title: "Small" }, md));
    const small = base64Of(3069, 2);
    const notImage = base64Of(5000, 3);
    expect(small.length).toBe(4096 - 4);
    await store.write(update("incident", INCIDENT, { entityimage: small, new_blob: notImage }, md));
    expect(await store.getRecord("incident", INCIDENT)).toMatchObject({
      entityimage: small,
      new_blob: notImage,
    });
    expect(await blobSizes(store)).toEqual([]);
  });

  it("collects a replaced image once nothing can send or restore it", async () => {
    const { store } = await openTestStore();
    await store.write(create("incident", { incidentid: INCIDENT, title: "Site" }));
    await store.write(update("incident", INCIDENT, { entityimage: base64Of(5000, 4) }));
    // Replaced before it was sent: the queued first update still sends the first image.
    await store.write(update("incident", INCIDENT, { entityimage: base64Of(5500, 5) }));
    expect(await blobSizes(store)).toEqual([5000, 5500]);
    await acknowledge(store, await seqs(store));
    expect(await blobSizes(store)).toEqual([5500]);
    const c = base64Of(6000, 6);
    await store.write(update("incident", INCIDENT, { entityimage: c }));
    // The server's image stays while a discard of this update could go back to it.
    expect(await blobSizes(store)).toEqual([5500, 6000]);
    expect(await readImage(store, "incident", INCIDENT)).toBe(c);
    await acknowledge(store, await seqs(store));
    expect(await blobSizes(store)).toEqual([6000]);
    expect(await readImage(store, "incident", INCIDENT)).toBe(c);
  });

  it("keeps a pulled row's image apart, reads it back whole, and drops it when the server's changes", async () => {
    const { store } = await openTestStore();
    const first = base64Of(7000, 6);
    await store.applyServerRows("contact", [{ contactid: INCIDENT, lastname: "Ray", entityimage: first }]);
    expect((await raw(store)).rows.includes(first.slice(0, 200))).toBe(false);
    expect(isBlobRef((await store.getRecord("contact", INCIDENT))!.entityimage)).toBe(true);
    expect(await blobSizes(store)).toEqual([7000]);
    expect(await readImage(store, "contact", INCIDENT)).toBe(first);

    const second = base64Of(8000, 7);
    await store.applyServerRows("contact", [{ contactid: INCIDENT, lastname: "Ray", entityimage: second }]);
    expect(await blobSizes(store)).toEqual([8000]);
    expect(await readImage(store, "contact", INCIDENT)).toBe(second);
    await store.applyServerRows("contact", [{ contactid: INCIDENT, lastname: "Ray", entityimage: null }]);
    expect(await blobSizes(store)).toEqual([]);
    expect(await readImage(store, "contact", INCIDENT)).toBeNull();
  });
});
