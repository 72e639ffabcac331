// Pull recovery over HTTP: an interrupted first sync resumes, an expired delta token falls back to
// a full resync, and pending local work survives every kind of pull (invariant 6).
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { XrmError } from "@xrm-offline/odata";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  create,
  getsOf,
  guid,
  localIds,
  localRows,
  type PullFixture,
  pullFixture,
  remove,
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

const patch = (set: string, id: string, body: Record<string, unknown>) =>
  serverPatch(emulator, set, id, body);
const del = (set: string, id: string) => serverDelete(emulator, set, id);

function seedAccounts(n: number) {
  emulator.seed(
    "accounts",
    Array.from({ length: n }, (_, i) => ({ accountid: A(i + 1), name: `A${i + 1}` })),
  );
}

describe("an interrupted first sync", () => {
  it("resumes at the page after the last one written and ends with the exact row set", async () => {
    seedAccounts(32);
    fx = await pullFixture(emulator, ["account"], 5);
    // count, page 1, page 2, page 3 pass; page 4 answers 503.
    emulator.faults.set({ script: ["pass", "pass", "pass", "pass", 503] });
    const failed = await fx.pull().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(XrmError);
    expect((failed as XrmError).retryable).toBe(true);
    expect(fx.puller.lastReport?.tables[0]).toMatchObject({
      table: "account",
      kind: "first-sync",
      rows: 15,
      error: { errorCode: (failed as XrmError).errorCode },
    });
    expect((await localIds(fx.store, "account")).length).toBe(15);

    // Meanwhile on the server: a downloaded row changes, one is deleted, one is added.
    patch("accounts", A(2), { name: "A2 changed" });
    del("accounts", A(4));
    del("accounts", A(30));
    emulator.seed("accounts", [{ accountid: A(99), name: "A99" }]);

    // A reload: a new store instance and puller on the same IndexedDB.
    fx = await fx.reopen(["account"]);
    emulator.requestLog.clear();
    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ kind: "first-sync", rows: 18, removed: 1 });
    expect(report.failed).toBe(0);
    // It went on from page 4 (no count, no page 1–3 again), then took the changes since the token.
    const gets = getsOf(emulator, "accounts");
    expect(gets[0]!.url).toContain("$skiptoken=");
    expect(gets.filter((g) => !g.url.includes("$skiptoken=") && !g.url.includes("$deltatoken="))).toEqual([]);
    expect(await localIds(fx.store, "account")).toEqual(serverIds(emulator, "account"));
    expect((await localRows(fx.store, "account")).get(A(2))?.name).toBe("A2 changed");
  });

  it("restarts a download whose saved page link the server no longer accepts", async () => {
    seedAccounts(12);
    fx = await pullFixture(emulator, ["account"], 5);
    emulator.faults.set({ script: ["pass", "pass", 503] });
    await expect(fx.pull()).rejects.toBeInstanceOf(XrmError);
    // Garble the saved skip token, as if the server had forgotten it.
    const saved = (await fx.store.getCheckpoint("pull:account")) as { link: string };
    await fx.store.setCheckpoint("pull:account", {
      ...saved,
      link: saved.link.replace(/\$skiptoken=[^&]+/, "$skiptoken=garbled"),
    });
    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ kind: "resync", rows: 12 });
    expect(report.failed).toBe(0);
    expect(await localIds(fx.store, "account")).toEqual(serverIds(emulator, "account"));
  });
});

describe("an expired delta token", () => {
  it("falls back to a full resync of the table and keeps pending local work", async () => {
    seedAccounts(9);
    emulator.seed("contacts", [{ contactid: guid(1, "cccccccc"), lastname: "Unaffected" }]);
    fx = await pullFixture(emulator, ["account", "contact"], 4);
    await fx.pull();

    // Pending offline work: an update, a delete, a create.
    await fx.store.write(update("account", A(1), { name: "local name" }));
    await fx.store.write(update("account", A(5), { telephone1: "local phone" }));
    await fx.store.write(remove("account", A(6)));
    const created = await fx.store.write(create("account", { name: "created offline" }));
    // Server: A1's name and phone change, A5 is deleted, A7 is deleted, A50 appears.
    patch("accounts", A(1), { name: "server name", telephone1: "server phone" });
    del("accounts", A(5));
    del("accounts", A(7));
    emulator.seed("accounts", [{ accountid: A(50), name: "A50" }]);
    emulator.expireDeltaTokens();
    emulator.requestLog.clear();

    const report = await fx.pull();
    expect(report.tables.map((t) => [t.table, t.kind, t.error])).toEqual([
      ["account", "resync", undefined],
      ["contact", "resync", undefined],
    ]);
    const gets = getsOf(emulator, "accounts");
    expect(gets[0]!.url).toContain("$deltatoken=");
    expect(gets.some((g) => /\/accounts$/.test(g.url))).toBe(true);

    const local = await localRows(fx.store, "account");
    // Server rows, plus the record created here (its create is still queued), minus the one
    // deleted here (hidden until its delete is sent), plus A5 kept for its pending update.
    const expected = [...serverIds(emulator, "account"), created.id, A(5)].filter((id) => id !== A(6)).sort();
    expect([...local.keys()].sort()).toEqual(expected);
    expect(local.get(A(1))).toMatchObject({ name: "local name", telephone1: "server phone" });
    expect(local.get(A(5))?.telephone1).toBe("local phone");
    expect(local.has(A(7))).toBe(false);
    expect((await fx.store.getRecordRow("account", A(6)))?._deleted).toBe(true);
    expect(await fx.store.pendingCount()).toBe(4);
    // A1's server name is kept aside: discarding the local change would restore it.
    expect((await fx.store.getRecordRow("account", A(1)))?._server).toMatchObject({
      name: { name: "server name" },
    });
    expect(await localIds(fx.store, "contact")).toEqual(serverIds(emulator, "contact"));
  });
});

describe("pending local changes (invariant 6)", () => {
  it("a delta that touches a record keeps its pending columns and takes the others", async () => {
    seedAccounts(3);
    fx = await pullFixture(emulator, ["account"], 10);
    await fx.pull();
    await fx.store.write(update("account", A(2), { name: "offline edit" }));
    const baseEtag = emulator.row("account", A(2))?.["@odata.etag"];
    patch("accounts", A(2), { name: "server edit", telephone1: "555-0100", revenue: 1000 });

    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ kind: "delta", rows: 1 });
    const row = await fx.store.getRecordRow("account", A(2));
    expect(row).toMatchObject({
      name: "offline edit",
      telephone1: "555-0100",
      revenue: 1000,
      _syncState: "pending",
    });
    // The ETag stays the one the offline edit was made against (pull-conflict.test.ts: with
    // conflict detection the push must see the server's change as a conflict).
    expect(baseEtag).not.toBe(emulator.row("account", A(2))?.["@odata.etag"]);
    expect(row?.["@odata.etag"]).toBe(baseEtag);
    expect(row?._serverEtag).toBe(baseEtag);
  });

  it("a server delete of a record with a pending update keeps the record for the push to decide", async () => {
    seedAccounts(3);
    fx = await pullFixture(emulator, ["account"], 10);
    await fx.pull();
    await fx.store.write(update("account", A(3), { name: "edited offline" }));
    del("accounts", A(3));
    del("accounts", A(1));
    const report = await fx.pull();
    expect(report.tables[0]).toMatchObject({ removed: 1, keptWithLocalChanges: 1 });
    expect(await localIds(fx.store, "account")).toEqual([A(2), A(3)]);
  });
});
