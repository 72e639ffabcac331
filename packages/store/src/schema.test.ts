import type { Dexie } from "dexie";
import { describe, expect, it } from "vitest";
import { databaseOf } from "./offline-store.ts";
import { SCHEMA_VERSIONS, type SchemaVersion } from "./schema.ts";
import type { OutboxRow } from "./store-types.ts";
import { ACCOUNT, CONTACT, create, openTestStore, recordFailure, update } from "./testing/test-store.ts";

/** Counts the rows each table hands back to JavaScript (reads through Dexie's DBCore). */
function readCounter(counts: Map<string, number>) {
  return (db: Dexie) => {
    db.use({
      stack: "dbcore",
      name: "read-counter",
      create: (down) => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          const add = (n: number) => counts.set(name, (counts.get(name) ?? 0) + n);
          return {
            ...t,
            get: async (req) => {
              const r = await t.get(req);
              add(r === undefined ? 0 : 1);
              return r;
            },
            getMany: async (req) => {
              const r = await t.getMany(req);
              add(r.filter((x) => x !== undefined).length);
              return r;
            },
            query: async (req) => {
              const r = await t.query(req);
              add(r.result.length);
              return r;
            },
            openCursor: (req) => {
              // Cursors are not used by the store's outbox paths; count them as unbounded reads.
              add(Number.POSITIVE_INFINITY);
              return t.openCursor(req);
            },
          };
        },
      }),
    });
  };
}

describe("schema versions", () => {
  it("no version deletes or re-keys the tables that hold queued work", () => {
    for (const v of SCHEMA_VERSIONS) {
      expect(v.stores.outbox?.split(",")[0]).toBe("++seq");
      expect(v.stores.failures?.split(",")[0]).toBe("id");
    }
  });

  it("an upgrade keeps every queued entry, failure and record", async () => {
    const { store, factory } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.write(update("account", ACCOUNT, { revenue: i }))),
    );
    await recordFailure(store, 2, { errorCode: 0x80040216, message: "x" });
    const entries = await store.peekOutbox({ limit: 1000 });
    const failures = await store.failures();
    const rows = await databaseOf(store).records.toArray();
    await store.close();

    const latest = SCHEMA_VERSIONS.at(-1)!;
    const next: SchemaVersion = {
      version: latest.version + 1,
      stores: { ...latest.stores, outbox: "++seq, changeKey, kind" },
      upgrade: async (tx) => {
        await tx
          .table("outbox")
          .toCollection()
          .modify((e: OutboxRow & { migrated?: boolean }) => {
            e.migrated = true;
          });
      },
    };
    const { store: upgraded } = await openTestStore({
      indexedDB: factory,
      schema: [...SCHEMA_VERSIONS, next],
    });
    expect(databaseOf(upgraded).verno).toBe(latest.version + 1);
    const after = await upgraded.peekOutbox({ limit: 1000 });
    expect(after).toEqual(entries.map((e) => ({ ...e, migrated: true })));
    expect(await upgraded.failures()).toEqual(failures);
    expect(await databaseOf(upgraded).records.toArray()).toEqual(rows);
    expect(await databaseOf(upgraded).outbox.where("kind").anyOf("create", "update").count()).toBe(300);
    await upgraded.close();
    // Writes thousands of rows: slow on fake-indexeddb on a loaded machine, not a speed claim.
  }, 30_000);
});

describe("schema version 4 (no lookup index)", () => {
  it("a database written at version 3 opens with its rows, queue and lookups, and drops the lookup index", async () => {
    const v3 = SCHEMA_VERSIONS.filter((v) => v.version <= 3);
    const { store, factory } = await openTestStore({ schema: v3 });
    await store.write(create("contact", { contactid: CONTACT, lastname: "Ng" }));
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
      }),
    );
    // What the code of version 3 wrote with each row: the lookup index's keys.
    await databaseOf(store).records.update(["account", ACCOUNT], {
      _refs: [`account|_primarycontactid_value|${CONTACT}`],
    });
    expect(await databaseOf(store).records.where("_refs").startsWith("account|").count()).toBe(1);
    const entries = await store.peekOutbox();
    await store.close();

    const { store: upgraded } = await openTestStore({ indexedDB: factory });
    const db = databaseOf(upgraded);
    expect(db.verno).toBe(4);
    expect(db.records.schema.indexes.map((i) => i.name)).toEqual(["_ix"]);
    expect(await upgraded.peekOutbox()).toEqual(entries);
    expect(await upgraded.lookupIds("account", "_primarycontactid_value")).toEqual([CONTACT]);
    const [found] = await upgraded.queryRows("account", {
      property: "_primarycontactid_value",
      value: CONTACT,
    });
    expect(found).toMatchObject({ accountid: ACCOUNT, name: "A", _primarycontactid_value: CONTACT });
    expect(found).not.toHaveProperty("_refs");
    // A row written again loses the stale keys.
    await upgraded.write(update("account", ACCOUNT, { name: "B" }));
    expect(await db.records.get(["account", ACCOUNT])).not.toHaveProperty("_refs");
    await upgraded.close();
  });
});

describe("outbox rows of earlier versions", () => {
  it("rows that still carry a rendered request and backoff fields are read, sent and settled as the operation says", async () => {
    const { store, factory } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await store.write(update("account", ACCOUNT, { name: "B" }));
    await store.write(update("account", ACCOUNT, { name: "C" }));
    // What versions before the canonical-operation change wrote: a request rendered at write time
    // (deliberately stale here, so reading it would show) and a persisted backoff state.
    const legacy = {
      request: { method: "PATCH", url: "accounts(stale)", headers: {}, body: { name: "stale" } },
      state: "backoff",
      nextAttemptAt: 9_999_999_999_999,
    };
    await databaseOf(store)
      .outbox.toCollection()
      .modify((e: Record<string, unknown>) => {
        Object.assign(e, legacy);
      });
    await recordFailure(store, 3, { errorCode: 0x80040216, message: "x" });
    await store.close();

    const { store: again } = await openTestStore({ indexedDB: factory });
    const port = again.outboxPort();
    const page = await port.page(0, 10);
    expect(page.map((e) => [e.seq, e.operation.kind, e.state, e.attempts])).toEqual([
      [1, "create", "pending", 0],
      [2, "update", "pending", 0],
      [3, "update", "failed", 0],
    ]);
    expect(page[1]?.operation).toMatchObject({ columns: { name: "B" } });
    await port.markAttempt([1, 2]);
    await port.settle([{ kind: "acknowledged", seqs: [1, 2], etag: 'W/"7"' }]);
    // The failure's entries go back with their legacy fields, and are still read as operations.
    await again.retryFailure("3");
    const [back] = await port.page(0, 10);
    expect([back?.seq, back?.state, back?.operation]).toMatchObject([
      3,
      "pending",
      { columns: { name: "C" } },
    ]);
    expect(await again.counts()).toEqual({ pending: 1, failed: 0 });
    expect((await again.getRecord("account", ACCOUNT))?.name).toBe("C");
    await again.close();
  });
});

describe("large queues", () => {
  it("opening, counting and paging a big outbox never reads it whole", async () => {
    const { store, factory } = await openTestStore({ maxGroup: 1000 });
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await Promise.all(Array.from({ length: 5000 }, () => store.write(create("account", { name: "n" }))));
    await store.close();

    const counts = new Map<string, number>();
    const { store: again } = await openTestStore({ indexedDB: factory, addons: [readCounter(counts)] });
    expect(counts.get("outbox") ?? 0).toBe(0);
    expect(await again.pendingCount()).toBe(5001);
    expect(await again.counts()).toEqual({ pending: 5001, failed: 0 });
    expect(counts.get("outbox") ?? 0).toBe(0);
    const page = await again.peekOutbox({ limit: 50, afterSeq: 2000 });
    expect(page.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 2001 + i));
    expect(counts.get("outbox")).toBe(50);
    expect(counts.get("records") ?? 0).toBe(0);
    await again.close();
  }, 30_000);
});
