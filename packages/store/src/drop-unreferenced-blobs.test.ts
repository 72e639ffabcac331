import { describe, expect, it } from "vitest";
import { dropUnreferencedBlobs } from "./drop-unreferenced-blobs.ts";
import { databaseOf, type OfflineStore } from "./offline-store.ts";
import { create, openTestStore } from "./testing/test-store.ts";

// Ids in key order: A < B < BETWEEN < C.
const A = "10000000-0000-4000-8000-000000000001";
const B = "20000000-0000-4000-8000-000000000002";
const BETWEEN = "30000000-0000-4000-8000-000000000003";
const C = "40000000-0000-4000-8000-000000000004";

/** `count` blobs owned by a record of `entity` that nothing refers to. */
async function orphans(store: OfflineStore, entity: string, id: string, count: number): Promise<void> {
  await databaseOf(store).blobs.bulkPut(
    Array.from({ length: count }, (_, i) => ({
      id: `${entity}|${id}|entityimage|s:orphan#${i}|tag`,
      blob: new Blob([new Uint8Array(8)]),
    })),
  );
}

async function drop(store: OfflineStore, records: [string, string][]): Promise<void> {
  const db = databaseOf(store);
  await db.transaction("rw", [db.records, db.outbox, db.failures, db.blobs], () =>
    dropUnreferencedBlobs(db, records),
  );
}

const owners = async (store: OfflineStore) =>
  (await databaseOf(store).blobs.toCollection().primaryKeys())
    .map((k) => String(k).split("|").slice(0, 2).join("|"))
    .sort();

describe("dropUnreferencedBlobs", () => {
  it("drops what the given records own and nothing refers to; a record's referenced image stays, other records' blobs in the id range stay", async () => {
    const { store } = await openTestStore();
    // A's image is its row's: referenced.
    await store.write(create("account", { accountid: A, name: "A", entityimage: "QUJD".repeat(1100) }));
    await orphans(store, "account", A, 1);
    await orphans(store, "account", BETWEEN, 2);
    await orphans(store, "account", C, 3);
    await orphans(store, "contact", B, 1);
    expect(await owners(store)).toEqual([
      "account|" + A,
      "account|" + A,
      ...Array(2).fill(`account|${BETWEEN}`),
      ...Array(3).fill(`account|${C}`),
      `contact|${B}`,
    ]);

    await drop(store, [
      ["account", A],
      ["account", B],
      ["account", C],
    ]);
    // A keeps its row's image only; C's are gone; BETWEEN (not asked) and the contact B untouched.
    expect(await owners(store)).toEqual([
      `account|${A}`,
      ...Array(2).fill(`account|${BETWEEN}`),
      `contact|${B}`,
    ]);
    expect(await store.getRecord("account", A)).toMatchObject({ entityimage: expect.anything() });
  });

  it("gives the same answer when the records' id range holds more blobs than they could own (read one by one)", async () => {
    const { store } = await openTestStore();
    await orphans(store, "account", A, 2);
    // 2 records asked: a budget of 24 blob keys in their range; BETWEEN alone owns 40.
    await orphans(store, "account", BETWEEN, 40);
    await orphans(store, "account", C, 1);
    await drop(store, [
      ["account", C],
      ["account", A],
    ]);
    expect(await owners(store)).toEqual(Array(40).fill(`account|${BETWEEN}`));
  });

  it("handles records of several tables in one call", async () => {
    const { store } = await openTestStore();
    await orphans(store, "account", A, 1);
    await orphans(store, "contact", A, 1);
    await orphans(store, "contact", C, 1);
    await drop(store, [
      ["contact", C],
      ["account", A],
      ["contact", A],
    ]);
    expect(await owners(store)).toEqual([]);
  });
});

describe("a pulled page of a table with an image column", () => {
  it("reads the blobs table once for 2,000 rows that own no blob (one read per row made a first sync 1.8× slower in Chromium)", async () => {
    const { store } = await openTestStore();
    const db = databaseOf(store);
    let blobReads = 0;
    db.use({
      stack: "dbcore",
      name: "count-blob-reads",
      create: (down) => ({
        ...down,
        table(name) {
          const table = down.table(name);
          if (name !== "blobs") return table;
          return {
            ...table,
            query: (req) => {
              blobReads++;
              return table.query(req);
            },
            openCursor: (req) => {
              blobReads++;
              return table.openCursor(req);
            },
          };
        },
      }),
    });
    // Middleware takes effect when the database opens.
    db.close();
    await db.open();
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      accountid: `${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`,
      name: `Account ${i}`,
    }));
    expect(await store.applyServerRows("account", rows)).toMatchObject({ applied: 2000 });
    expect(blobReads).toBe(1);
  });
});
