// Delta sync over HTTP: changes, deletes, filter-based scope, related rows, pending local changes.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  getsOf,
  guid,
  localIds,
  localRows,
  type PullFixture,
  pullFixture,
  serverDelete,
  serverIds,
  serverPatch,
  update,
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

const A = (n: number) => guid(n, "aaaaaaaa");
const C = (n: number) => guid(n, "cccccccc");

const patch = (set: string, id: string, body: Record<string, unknown>) =>
  serverPatch(emulator, set, id, body);
const del = (set: string, id: string) => serverDelete(emulator, set, id);

describe("delta sync", () => {
  it("pulls only new, changed and deleted rows", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 12 }, (_, i) => ({ accountid: A(i + 1), name: `A${i + 1}` })),
    );
    fx = await pullFixture(emulator, ["account"], 5);
    await fx.pull();

    patch("accounts", A(2), { name: "A2 changed", telephone1: "555-0102" });
    patch("accounts", A(7), { name: "A7 changed" });
    del("accounts", A(3));
    emulator.seed("accounts", [{ accountid: A(50), name: "A50 new" }]);
    emulator.requestLog.clear();

    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({
      table: "account",
      kind: "delta",
      rows: 3,
      removed: 1,
      requests: 1,
    });
    expect(getsOf(emulator, "accounts").map((g) => /\$deltatoken=/.test(g.url))).toEqual([true]);
    const local = await localRows(fx.store, "account");
    expect(await localIds(fx.store, "account")).toEqual(serverIds(emulator, "account"));
    expect(local.get(A(2))).toMatchObject({ name: "A2 changed", telephone1: "555-0102" });
    expect(local.get(A(7))?.name).toBe("A7 changed");
    expect(local.get(A(50))?.name).toBe("A50 new");
    expect(local.has(A(3))).toBe(false);
    expect(local.get(A(2))?.["@odata.etag"]).toBe(emulator.row("account", A(2))?.["@odata.etag"]);
  });

  it("stores no null columns (they read as null), and a column the server clears goes locally", async () => {
    emulator.seed("accounts", [{ accountid: A(1), name: "A1", telephone1: "555-0101", revenue: 10 }]);
    fx = await pullFixture(emulator, ["account"], 5);
    await fx.pull();
    const stored = await fx.store.getRecordRow("account", A(1));
    expect(stored).toMatchObject({ name: "A1", telephone1: "555-0101", revenue: 10 });
    expect(Object.values(stored ?? {}).includes(null)).toBe(false);
    expect("telephone2" in (stored ?? {})).toBe(false);

    patch("accounts", A(1), { telephone1: null });
    await fx.pull();
    const after = await fx.store.getRecord("account", A(1));
    expect(after).toMatchObject({ name: "A1", revenue: 10 });
    expect(after && "telephone1" in after).toBe(false);
  });

  it("keeps a filtered table to its filter: rows entering, leaving, changing, deleted", async () => {
    // accountcategorycode 1 = in scope.
    emulator.seed(
      "accounts",
      Array.from({ length: 10 }, (_, i) => ({
        accountid: A(i + 1),
        name: `A${i + 1}`,
        accountcategorycode: i < 6 ? 1 : 2,
      })),
    );
    fx = await pullFixture(emulator, { account: { filter: "accountcategorycode eq 1" } }, 4);
    const first = await fx.pull();
    expect(first.tables[0]).toMatchObject({ kind: "first-sync", rows: 6, removed: 0 });
    expect(await localIds(fx.store, "account")).toEqual([1, 2, 3, 4, 5, 6].map(A));
    // Change tracking refuses $filter: an ids-only tracked scan for the token, then the filtered read.
    const firstGets = getsOf(emulator, "accounts");
    expect(firstGets[0]).toMatchObject({ url: expect.stringMatching(/accounts\?\$select=accountid$/) });
    expect(firstGets[0]!.prefer).toBe("odata.maxpagesize=5000,odata.track-changes");
    expect(firstGets[2]!.url).toMatch(/accounts\?\$filter=accountcategorycode eq 1$/);
    expect(firstGets[2]!.prefer).toBe('odata.include-annotations="*",odata.maxpagesize=4');

    patch("accounts", A(1), { accountcategorycode: 2 }); // leaves the scope
    patch("accounts", A(8), { accountcategorycode: 1 }); // enters it
    patch("accounts", A(2), { name: "A2 renamed" }); // stays, changed
    patch("accounts", A(9), { name: "A9 renamed" }); // out of scope, changed: not pulled
    del("accounts", A(3)); // deleted
    emulator.seed("accounts", [
      { accountid: A(20), name: "new in scope", accountcategorycode: 1 },
      { accountid: A(21), name: "new out of scope", accountcategorycode: 2 },
    ]);

    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ kind: "delta", rows: 3, removed: 2 });
    expect(await localIds(fx.store, "account")).toEqual([A(2), A(4), A(5), A(6), A(8), A(20)].sort());
    expect((await localRows(fx.store, "account")).get(A(2))?.name).toBe("A2 renamed");
  });

  it("a changed filter downloads the table again and removes rows out of the new scope, except pending ones", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 8 }, (_, i) => ({
        accountid: A(i + 1),
        name: `A${i + 1}`,
        accountcategorycode: (i % 2) + 1,
      })),
    );
    fx = await pullFixture(emulator, { account: { filter: "accountcategorycode eq 1" } }, 3);
    await fx.pull();
    expect(await localIds(fx.store, "account")).toEqual([1, 3, 5, 7].map(A));
    await fx.store.write(update("account", A(5), { name: "pending local edit" }));

    fx.withProfile({ account: { filter: "accountcategorycode eq 2" } });
    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ kind: "resync", rows: 4, removed: 3, keptWithLocalChanges: 1 });
    expect(await localIds(fx.store, "account")).toEqual([2, 4, 5, 6, 8].map(A));
    expect((await localRows(fx.store, "account")).get(A(5))?.name).toBe("pending local edit");
  });

  it("pulls the rows a filtered table's lookups point at, and follows them as they change", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 6 }, (_, i) => ({ accountid: A(i + 1), name: `A${i + 1}` })),
    );
    emulator.seed("contacts", [
      { contactid: C(1), lastname: "Mine", "parentcustomerid_account@odata.bind": `/accounts(${A(1)})` },
      { contactid: C(2), lastname: "Mine", "parentcustomerid_account@odata.bind": `/accounts(${A(2)})` },
      { contactid: C(3), lastname: "Other", "parentcustomerid_account@odata.bind": `/accounts(${A(3)})` },
    ]);
    const profile = { contact: { filter: "lastname eq 'Mine'", related: ["parentcustomerid_account"] } };
    fx = await pullFixture(emulator, profile, 10);
    expect(fx.puller.profile.tables.map((t) => [t.entity, t.scope])).toEqual([
      ["contact", "filter:lastname eq 'Mine'"],
      ["account", "related"],
    ]);
    await fx.pull();
    expect(await localIds(fx.store, "contact")).toEqual([C(1), C(2)]);
    expect(await localIds(fx.store, "account")).toEqual([A(1), A(2)]);

    // On the server: C2 now points at A4; A1 renamed; A3 (not referenced) renamed.
    patch("contacts", C(2), { "parentcustomerid_account@odata.bind": `/accounts(${A(4)})` });
    patch("accounts", A(1), { name: "A1 renamed" });
    patch("accounts", A(3), { name: "A3 renamed" });
    // Locally (pending): C1 now points at A5, which the device has never seen.
    await fx.store.write(
      update("contact", C(1), { "parentcustomerid_account@odata.bind": `/accounts(${A(5)})` }),
    );

    await fx.pull();
    expect(await localIds(fx.store, "account")).toEqual([A(4), A(5)]);
    expect((await localRows(fx.store, "account")).get(A(5))?.name).toBe("A5");
    // A1 was renamed on the server, but nothing points at it any more here: it went.
    expect(fx.puller.profile.has("account")).toBe(true);
    expect(fx.puller.profile.has("task")).toBe(false);
  });
});
