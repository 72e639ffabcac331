// First sync over HTTP against the emulator: several tables, paged, into a fake-IndexedDB store.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  create,
  getsOf,
  guid,
  localIds,
  localRows,
  type PullFixture,
  pullFixture,
  serverIds,
} from "./pull-fixture.ts";

let emulator: Emulator;
let fx: PullFixture;
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:" });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clear();
  emulator.requestLog.clear();
  emulator.faults.clear();
});
afterEach(() => fx?.close());

function seedThreeTables() {
  emulator.seed(
    "accounts",
    Array.from({ length: 23 }, (_, i) => ({ accountid: guid(i + 1, "aaaaaaaa"), name: `Account ${i + 1}` })),
  );
  emulator.seed(
    "contacts",
    Array.from({ length: 11 }, (_, i) => ({
      contactid: guid(i + 1, "cccccccc"),
      firstname: `First${i + 1}`,
      lastname: "Sample",
      "parentcustomerid_account@odata.bind": `/accounts(${guid((i % 3) + 1, "aaaaaaaa")})`,
    })),
  );
  emulator.seed(
    "tasks",
    Array.from({ length: 7 }, (_, i) => ({ subject: `Task ${i + 1}` })),
  );
}

describe("first sync", () => {
  it("pages through every table of the profile into the store, with progress", async () => {
    seedThreeTables();
    fx = await pullFixture(emulator, ["account", "contact", "task"], 5);
    const report = await fx.pull();

    expect(report.tables.map((t) => [t.table, t.kind, t.rows, t.removed, t.error])).toEqual([
      ["account", "first-sync", 23, 0, undefined],
      ["contact", "first-sync", 11, 0, undefined],
      ["task", "first-sync", 7, 0, undefined],
    ]);
    expect(report).toMatchObject({ rows: 41, removed: 0, failed: 0 });
    for (const table of ["account", "contact", "task"]) {
      expect(await localIds(fx.store, table)).toEqual(serverIds(emulator, table));
    }
    // Every value came down as the server has it.
    const local = await localRows(fx.store, "account");
    for (const row of emulator.rows("account")) {
      expect(local.get(String(row.accountid))).toMatchObject({
        name: row.name,
        "@odata.etag": row["@odata.etag"],
      });
    }

    // Paged at 5 rows: count + 5 tracked pages (the last one carrying the delta link) + the delta.
    const gets = getsOf(emulator, "accounts");
    expect(
      gets.map((g) => g.url.replace(/^.*\/accounts/, "accounts").replace(/(token=)[^&]+/, "$1…")),
    ).toEqual([
      "accounts?$select=accountid&$count=true",
      "accounts",
      "accounts?$skiptoken=…",
      "accounts?$skiptoken=…",
      "accounts?$skiptoken=…",
      "accounts?$skiptoken=…",
      "accounts?$deltatoken=…",
    ]);
    expect(gets[1]!.prefer).toBe('odata.include-annotations="*",odata.maxpagesize=5,odata.track-changes');
    expect(gets[6]!.prefer).toBe('odata.include-annotations="*",odata.maxpagesize=5');

    expect(fx.progress.filter((p) => p.table === "account").map((p) => [p.kind, p.done, p.total])).toEqual([
      ["first-sync", 0, 23],
      ["first-sync", 5, 23],
      ["first-sync", 10, 23],
      ["first-sync", 15, 23],
      ["first-sync", 20, 23],
      ["first-sync", 23, 23],
    ]);
  });

  it("stores pulled lookups exactly as an offline write stores them", async () => {
    seedThreeTables();
    fx = await pullFixture(emulator, ["account", "contact"], 50);
    await fx.pull();
    const pulled = await fx.store.getRecord("contact", guid(2, "cccccccc"));
    expect(pulled).toMatchObject({
      _parentcustomerid_value: guid(2, "aaaaaaaa"),
      "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      "_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty":
        "parentcustomerid_account",
      "_parentcustomerid_value@OData.Community.Display.V1.FormattedValue": "Account 2",
    });

    const written = await fx.store.write(
      create("contact", {
        firstname: "Offline",
        "parentcustomerid_account@odata.bind": `/accounts(${guid(2, "aaaaaaaa")})`,
      }),
    );
    const local = await fx.store.getRecord("contact", written.id);
    const lookupGroup = (r: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(r ?? {}).filter(([k]) => k.startsWith("_parentcustomerid_value")));
    expect(lookupGroup(local)).toEqual(lookupGroup(pulled));
  });

  it("a pull that finds nothing changed makes one request per table and writes no record", async () => {
    seedThreeTables();
    fx = await pullFixture(emulator, ["account", "contact", "task"], 10);
    await fx.pull();
    const writes: string[] = [];
    const unsubscribe = fx.store.subscribe((change) => writes.push(change));
    const before = emulator.requestLog.total;

    const report = await fx.pull();
    unsubscribe();
    expect(report.tables.map((t) => [t.table, t.kind, t.rows, t.removed, t.requests])).toEqual([
      ["account", "delta", 0, 0, 1],
      ["contact", "delta", 0, 0, 1],
      ["task", "delta", 0, 0, 1],
    ]);
    expect(emulator.requestLog.total - before).toBe(3);
    expect(writes).toEqual([]);
  });

  it("an empty table gets its delta link and then pulls what appears", async () => {
    fx = await pullFixture(emulator, ["task"], 10);
    expect((await fx.pull()).tables[0]).toMatchObject({ kind: "first-sync", rows: 0 });
    emulator.seed("tasks", [{ subject: "new" }]);
    expect((await fx.pull()).tables[0]).toMatchObject({ kind: "delta", rows: 1 });
    expect(await localIds(fx.store, "task")).toEqual(serverIds(emulator, "task"));
  });
});
