import { parseQueryOptions } from "@xrm-offline/odata";
import { Dexie } from "dexie";
import { IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { retrieveLocalRecords } from "./local-query.ts";
import { databaseOf } from "./offline-store.ts";
import { SCHEMA_VERSIONS } from "./schema.ts";
import { create, metadata, openTestStore } from "./testing/test-store.ts";

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const PARENT = id(999_999);

/** Counts record rows handed back to JavaScript (keys-only reads not counted). */
function rowCounter(counter: { rows: number }) {
  return (db: Dexie) => {
    db.use({
      stack: "dbcore",
      name: "row-counter",
      create: (down) => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          if (name !== "records") return t;
          return {
            ...t,
            getMany: async (req) => {
              const r = await t.getMany(req);
              counter.rows += r.filter((x) => x !== undefined).length;
              return r;
            },
            query: async (req) => {
              const r = await t.query(req);
              if (req.values) counter.rows += r.result.length;
              return r;
            },
          };
        },
      }),
    });
  };
}

const rows = Array.from({ length: 600 }, (_, i) => ({
  accountid: id(i),
  name: `Account ${String(i).padStart(4, "0")}`,
  statecode: i % 3 === 0 ? 1 : 0,
  modifiedon: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
  _parentaccountid_value: i % 100 === 7 ? PARENT : null,
  revenue: i,
}));

describe("index-backed reads", () => {
  it("read only the rows a selective query needs", async () => {
    const counter = { rows: 0 };
    const { store } = await openTestStore({ addons: [rowCounter(counter)] });
    await store.applyServerRows("account", rows);
    const read = async (options: string, pageSize?: number) => {
      counter.rows = 0;
      const r = await retrieveLocalRecords(store, "account", options, pageSize);
      return { names: r.entities.map((e) => e.name), rows: counter.rows, next: r.nextLink };
    };

    const byParent = await read(`?$select=name&$filter=_parentaccountid_value eq ${PARENT}`);
    expect(byParent.names).toEqual([
      "Account 0007",
      "Account 0107",
      "Account 0207",
      "Account 0307",
      "Account 0407",
      "Account 0507",
    ]);
    expect(byParent.rows).toBe(6);

    const newest = await read("?$select=name&$filter=statecode eq 0&$orderby=modifiedon desc&$top=3");
    expect(newest.names).toEqual(["Account 0599", "Account 0598", "Account 0596"]);
    expect(newest.rows).toBeLessThanOrEqual(64 + 1);

    const prefix = await read("?$select=name&$filter=startswith(name,'account 012')&$top=2");
    expect(prefix.names).toEqual(["Account 0120", "Account 0121"]);
    expect(prefix.rows).toBeLessThanOrEqual(10);

    // Keyset paging: a late page reads about a page, not everything before it.
    let options: string | undefined = "?$select=name";
    let pages = 0;
    let last: string[] = [];
    while (options) {
      const page = await read(options, 50);
      expect(page.rows).toBeLessThanOrEqual(64 + 1);
      last = page.names as string[];
      options = page.next;
      pages++;
    }
    expect(pages).toBe(12);
    expect(last.at(-1)).toBe("Account 0599");
    await store.close();
  });

  it("walks text in the evaluator's order, odd text kept apart, and reads an `or` as a union", async () => {
    const counter = { rows: 0 };
    const { store } = await openTestStore({ addons: [rowCounter(counter)] });
    // Names the keys can't order (ß, other scripts) among 600 keyed ones.
    const odd = [
      { accountid: id(900), name: "Straße 1" },
      { accountid: id(901), name: "Жук" },
      { accountid: id(902), name: "Æon" },
    ];
    await store.applyServerRows("account", [...rows, ...odd]);
    const read = async (options: string, pageSize?: number) => {
      counter.rows = 0;
      const r = await retrieveLocalRecords(store, "account", options, pageSize);
      return { names: r.entities.map((e) => e.name), rows: counter.rows, next: r.nextLink };
    };

    const first = await read("?$select=name&$orderby=name&$top=3");
    expect(first.names).toEqual(["Account 0000", "Account 0001", "Account 0002"]);
    // The page (+1 for moreRecords, +1 for a keyset start, + the last key's ties) and the odd
    // rows that may sort that early: "Жук" and "Æon" (no key from their first letter on), not
    // "Straße 1" (filed under "stra"); not 603.
    expect(first.rows).toBe(3 + 2 + 1 + 2);
    const last = await read("?$select=name&$orderby=name desc&$top=3");
    expect(last.names).toEqual(["Жук", "Straße 1", "Æon"]);
    expect(last.rows).toBe(3 + 2 + 1 + 3);
    const late = await read("?$select=name&$filter=startswith(name,'account 05')&$orderby=name&$top=3");
    expect(late.names).toEqual(["Account 0500", "Account 0501", "Account 0502"]);
    // Odd rows filed under a head that is a prefix of "account 05" (only "": Жук, Æon).
    expect(late.rows).toBe(3 + 2 + 1 + 2);

    // Keyset paging by name: every page reads about a page, wherever it is.
    let options: string | undefined = "?$select=name&$orderby=name";
    const all: unknown[] = [];
    while (options) {
      const page = await read(options, 50);
      expect(page.rows).toBeLessThanOrEqual(50 + 2 + 1 + 3);
      all.push(...page.names);
      options = page.next;
    }
    expect(all.length).toBe(603);
    expect(all.slice(0, 2)).toEqual(["Account 0000", "Account 0001"]);
    expect(all.slice(-4)).toEqual(["Account 0599", "Æon", "Straße 1", "Жук"]);

    // `startswith or startswith`: the union of two prefix ranges (+ the odd rows), not a scan.
    const either = await read(
      "?$select=name&$filter=startswith(name,'account 0123') or startswith(name,'stra')&$orderby=name",
    );
    expect(either.names).toEqual(["Account 0123", "Straße 1"]);
    expect(either.rows).toBeLessThanOrEqual(1 + 3);
    const branches = await read(
      `?$select=name&$filter=_parentaccountid_value eq ${PARENT} or (statecode eq 1 and startswith(name,'account 058'))&$top=20`,
    );
    expect(branches.names).toEqual([
      "Account 0007",
      "Account 0107",
      "Account 0207",
      "Account 0307",
      "Account 0407",
      "Account 0507",
      "Account 0582",
      "Account 0585",
      "Account 0588",
    ]);
    expect(branches.rows).toBeLessThanOrEqual(6 + 10 + 3);
    await store.close();
  });

  it("re-keys stored rows when a table's index columns change", async () => {
    const { store, factory } = await openTestStore();
    await store.applyServerRows("account", rows);
    await store.close();
    const counter = { rows: 0 };
    const { store: again } = await openTestStore({
      indexedDB: factory,
      indexColumns: { account: ["revenue"] },
      addons: [rowCounter(counter)],
    });
    expect(again.indexedColumns("account").map((c) => c.property)).toContain("revenue");
    counter.rows = 0;
    const r = await retrieveLocalRecords(again, "account", "?$select=name&$filter=revenue ge 597");
    expect(r.entities.map((e) => e.name)).toEqual(["Account 0597", "Account 0598", "Account 0599"]);
    expect(counter.rows).toBe(3);
    await again.close();
  });

  it("keys the rows of a database from before the value index when it upgrades", async () => {
    const before = SCHEMA_VERSIONS.slice(0, -1);
    const { store, factory } = await openTestStore({ schema: before });
    await store.applyServerRows("account", rows);
    await store.write(create("account", { name: "queued" }));
    await store.close();
    // What the versions before stored: rows without `_ix`, no index layout.
    const raw = new Dexie("test", { indexedDB: factory, IDBKeyRange });
    const last = before.at(-1)!;
    raw.version(last.version).stores(last.stores);
    await raw
      .table("records")
      .toCollection()
      .modify((r: Record<string, unknown>) => {
        delete r._ix;
      });
    await raw.table("meta").clear();
    raw.close();

    const { store: upgraded } = await openTestStore({ indexedDB: factory });
    expect(databaseOf(upgraded).verno).toBe(SCHEMA_VERSIONS.length);
    expect(await upgraded.pendingCount()).toBe(1);
    const r = await retrieveLocalRecords(
      upgraded,
      "account",
      `?$select=name&$filter=_parentaccountid_value eq ${PARENT}`,
    );
    expect(r.entities.length).toBe(6);
    await upgraded.close();
  });

  it("rejects index columns a table doesn't have", async () => {
    await expect(openTestStore({ indexColumns: { account: ["nosuchcolumn"] } })).rejects.toMatchObject({
      errorCode: 0x80040203,
    });
    await expect(openTestStore({ indexColumns: { nosuchtable: ["name"] } })).rejects.toMatchObject({
      errorCode: 0x8004f899,
    });
  });

  it("plans nothing from the index for text equality (collation) and still answers it", async () => {
    const { store } = await openTestStore();
    await store.applyServerRows("account", [
      { accountid: id(1), name: "Straße" },
      { accountid: id(2), name: "strasse" },
      { accountid: id(3), name: "Other" },
    ]);
    const plan = parseQueryOptions(metadata, "account", "?$filter=name eq 'STRASSE'");
    expect((await store.queryCandidates(plan)).length).toBe(3);
    const r = await retrieveLocalRecords(store, "account", "?$select=name&$filter=name eq 'STRASSE'");
    expect(r.entities.map((e) => e.name).sort()).toEqual(["Straße", "strasse"].sort());
    await store.close();
  });
});
