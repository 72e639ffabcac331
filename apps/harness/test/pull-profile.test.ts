// The puller across tables: one table's failure, server trouble, aborts, resync on demand, tables
// dropped from the profile, concurrent calls.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { XrmError } from "@xrm-offline/odata";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getsOf, guid, localIds, type PullFixture, pullFixture, serverIds, update } from "./pull-fixture.ts";

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
  emulator.seed(
    "accounts",
    Array.from({ length: 5 }, (_, i) => ({ accountid: guid(i + 1, "aaaaaaaa"), name: `A${i + 1}` })),
  );
  emulator.seed(
    "contacts",
    Array.from({ length: 4 }, (_, i) => ({ contactid: guid(i + 1, "cccccccc"), lastname: `C${i + 1}` })),
  );
  emulator.seed("tasks", [{ subject: "T1" }]);
});
afterEach(() => fx?.close());

describe("the puller across tables", () => {
  it("a table the server refuses (bad filter) fails alone; the others are pulled", async () => {
    fx = await pullFixture(emulator, { account: {}, task: { filter: "nosuchcolumn eq 1" }, contact: {} });
    const error = await fx.pull().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XrmError);
    expect((error as XrmError).httpStatus).toBe(400);
    const report = fx.puller.lastReport!;
    expect(report.tables.map((t) => [t.table, t.rows, t.error?.errorCode])).toEqual([
      ["account", 5, undefined],
      ["task", 0, (error as XrmError).errorCode],
      ["contact", 4, undefined],
    ]);
    expect(report.failed).toBe(1);
    expect(await localIds(fx.store, "contact")).toEqual(serverIds(emulator, "contact"));
  });

  it("stops at the first table when the server is unavailable (the rest waits for the next cycle)", async () => {
    fx = await pullFixture(emulator, ["account", "contact"]);
    emulator.faults.set({ failRate: 1, failWith: [503] });
    await expect(fx.pull()).rejects.toMatchObject({ retryable: true });
    expect(fx.puller.lastReport?.tables.map((t) => t.table)).toEqual(["account"]);
    expect(getsOf(emulator, "contacts")).toEqual([]);
    emulator.faults.clear();
    expect((await fx.pull()).rows).toBe(9);
  });

  it("an abort rejects with the signal's reason and leaves a resumable checkpoint", async () => {
    fx = await pullFixture(emulator, ["account", "contact"], 2);
    const abort = new AbortController();
    const reason = new Error("stop");
    const pulled = fx.puller.pull(abort.signal, (p) => {
      if (p.table === "account" && p.done === 2) abort.abort(reason);
    });
    await expect(pulled).rejects.toBe(reason);
    expect(await fx.store.getCheckpoint("pull:account")).toMatchObject({ phase: "rows", done: 2 });
    expect((await fx.pull()).tables.map((t) => [t.table, t.kind])).toEqual([
      ["account", "first-sync"],
      ["contact", "first-sync"],
    ]);
    expect(await localIds(fx.store, "account")).toEqual(serverIds(emulator, "account"));
  });

  it("calls made while a pull runs wait for it", async () => {
    fx = await pullFixture(emulator, ["account"]);
    const [first, second] = await Promise.all([fx.pull(), fx.pull()]);
    expect(first.tables[0]?.kind).toBe("first-sync");
    expect(second.tables[0]).toMatchObject({ kind: "delta", requests: 1 });
  });

  it("resync() downloads a table again on the next pull", async () => {
    fx = await pullFixture(emulator, ["account", "contact"]);
    await fx.pull();
    await fx.puller.resync("account");
    const report = await fx.pull();
    expect(report.tables.map((t) => [t.table, t.kind, t.rows])).toEqual([
      ["account", "resync", 5],
      ["contact", "delta", 0],
    ]);
    await expect(fx.puller.resync("task")).rejects.toMatchObject({ errorCode: 0x80040203 }); // InvalidArgument
  });

  it("a table dropped from the profile loses its rows, except those with pending changes", async () => {
    fx = await pullFixture(emulator, ["account", "contact"]);
    await fx.pull();
    await fx.store.write(update("contact", guid(2, "cccccccc"), { lastname: "pending" }));
    fx.withProfile(["account"]);
    const report = await fx.pull();
    expect(report.tables.map((t) => t.table)).toEqual(["account"]);
    expect(await localIds(fx.store, "contact")).toEqual([guid(2, "cccccccc")]);
    expect(await fx.store.getCheckpoint("pull:contact")).toBeNull();
    // Listed again later: downloaded again.
    fx.withProfile(["account", "contact"]);
    expect((await fx.pull()).tables[1]).toMatchObject({ table: "contact", kind: "first-sync", rows: 4 });
  });
});
