import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import { createOfflineHarness, type OfflineHarness } from "../src/index.ts";

const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";

const open: OfflineHarness[] = [];
async function harness(options?: Parameters<typeof createOfflineHarness>[0]): Promise<OfflineHarness> {
  const h = await createOfflineHarness(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.dispose();
});

async function rejection(p: Promise<unknown>): Promise<{ errorCode: number; message: string }> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: { errorCode: number; message: string }) => e,
  );
}

describe("createOfflineHarness", () => {
  it("seeds the server and, for offline tables, the device in the first sync", async () => {
    const h = await harness({
      seed: {
        contacts: [{ contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" }],
        account: [
          { accountid: ACCOUNT, name: "Contoso", "primarycontactid@odata.bind": `/contacts(${CONTACT})` },
        ],
      },
      offlineTables: ["contact"],
    });
    expect(h.server.count("contact")).toBe(1);
    expect(h.server.row("account", ACCOUNT)?._primarycontactid_value).toBe(CONTACT);
    // contact is in the profile: on the device; account is not: server only.
    expect((await h.local("contact", CONTACT))?.fullname).toBe("Yvonne McKay");
    expect(h.Xrm.WebApi.isAvailableOffline("account")).toBe(false);
    expect(h.online).toBe(true);
    expect(await h.pending()).toBe(0);
  });

  it("goOffline: writes queue on the device; goOnline + syncNow: they reach the server", async () => {
    const h = await harness({ offlineTables: ["account"] });
    h.goOffline();
    expect(h.online).toBe(false);
    const { id } = await h.Xrm.WebApi.createRecord("account", { name: "Queued" });
    await h.Xrm.WebApi.updateRecord("account", id, { telephone1: "555" });
    expect(await h.pending()).toBe(2);
    expect(await h.syncNow()).toEqual({ pushed: 0, failed: 0, conflicts: 0, pending: 2 });
    expect(h.server.row("account", id)).toBeUndefined();
    h.goOnline();
    const report = await h.settle();
    expect(report.pending).toBe(0);
    expect(h.server.row("account", id)).toMatchObject({ name: "Queued", telephone1: "555" });
    expect(await h.pending()).toBe(0);
    expect(await h.failures()).toEqual([]);
  });

  it("offline really is offline: online.* calls fail with a network error and nothing reaches the server", async () => {
    const h = await harness();
    h.goOffline();
    const before = h.server.requestLog.total;
    const e = await rejection(h.Xrm.WebApi.online.createRecord("account", { name: "Nope" }));
    expect(e.errorCode).toBe(0x80072efd); // the transport's network error (no connection)
    expect(h.server.requestLog.total).toBe(before);
    expect(h.server.count("account")).toBe(0);
    h.goOnline();
    const { id } = await h.Xrm.WebApi.online.createRecord("account", { name: "Yes" });
    expect(h.server.row("account", id)?.name).toBe("Yes");
  });

  it("startOffline: the first sync still downloads the profile, then the network is off", async () => {
    const h = await harness({
      seed: { account: [{ accountid: ACCOUNT, name: "Seeded" }] },
      offlineTables: ["account"],
      startOffline: true,
    });
    expect(h.online).toBe(false);
    expect((await h.local("account", ACCOUNT))?.name).toBe("Seeded");
    const r = await h.Xrm.WebApi.retrieveMultipleRecords("account", "?$select=name");
    expect(r.entities.map((e) => e.name)).toEqual(["Seeded"]);
  });

  it("server.update / server.delete act as another user; the next sync brings the change down", async () => {
    const h = await harness({
      seed: { account: [{ accountid: ACCOUNT, name: "Before" }] },
      offlineTables: ["account"],
    });
    h.server.update("account", ACCOUNT, { name: "After" });
    expect(h.server.row("account", ACCOUNT)?.name).toBe("After");
    expect((await h.local("account", ACCOUNT))?.name).toBe("Before");
    await h.syncNow();
    expect((await h.local("account", ACCOUNT))?.name).toBe("After");
    h.server.delete("accounts", ACCOUNT);
    await h.syncNow();
    expect(await h.local("account", ACCOUNT)).toBeUndefined();
    expect(h.server.count("account")).toBe(0);
  });

  it("server.update / delete of a missing row or unknown table throw clear XrmErrors", async () => {
    const h = await harness();
    expect(() => h.server.update("account", ACCOUNT, { name: "x" })).toThrow(
      expect.objectContaining({ errorCode: 0x80040217, message: expect.stringMatching(/^server\.update: /) }),
    );
    expect(() => h.server.delete("account", ACCOUNT)).toThrow(
      expect.objectContaining({ errorCode: 0x80040217 }),
    );
    expect(() => h.server.update("nosuchtable", ACCOUNT, {})).toThrow(
      "The server has no table 'nosuchtable'.",
    );
    expect(() => h.server.seed("Account", [{ name: "wrong case" }])).toThrow(
      "The server has no table 'Account'.",
    );
    expect(() => h.server.update("account", ACCOUNT, { nosuchcolumn: 1 })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^server\.update: /) }),
    );
  });

  it("server faults: a 503 during sync is retried; the change arrives once", async () => {
    const h = await harness({ offlineTables: ["account"] });
    h.goOffline();
    const { id } = await h.Xrm.WebApi.createRecord("account", { name: "Retried" });
    h.server.faults.enqueue(503, "reset-after");
    h.goOnline();
    const report = await h.settle();
    expect(report.pending).toBe(0);
    expect(h.server.faults.injected.get("503")).toBe(1);
    expect(h.server.faults.injected.get("reset-after")).toBe(1);
    expect(h.server.rows("account").filter((r) => r.accountid === id)).toHaveLength(1);
  });

  it("restartApp: queued work survives the restart in the same device database", async () => {
    const h = await harness({ offlineTables: ["account"], startOffline: true });
    const before = h.Xrm.WebApi;
    const { id } = await h.Xrm.WebApi.createRecord("account", { name: "Survives" });
    let ranWhileClosed = false;
    await h.restartApp({
      whileClosed: () => {
        ranWhileClosed = true;
      },
    });
    expect(ranWhileClosed).toBe(true);
    expect(h.Xrm.WebApi).not.toBe(before);
    expect(h.api).toBe(h.Xrm.WebApi);
    expect(await h.pending()).toBe(1);
    expect((await h.local("account", id))?.name).toBe("Survives");
    h.goOnline();
    await h.settle();
    expect(h.server.row("account", id)?.name).toBe("Survives");
  });

  it("two harnesses are two separate worlds", async () => {
    const a = await harness({ seed: { account: [{ name: "A" }] } });
    const b = await harness();
    expect(a.server.url).not.toBe(b.server.url);
    expect(a.server.count("account")).toBe(1);
    expect(b.server.count("account")).toBe(0);
  });

  it("a shared indexedDB + databaseName is one device seen by two harnesses in turn", async () => {
    const indexedDB = new IDBFactory();
    const first = await createOfflineHarness({ indexedDB, databaseName: "device-1", startOffline: true });
    const { id } = await first.Xrm.WebApi.createRecord("account", { name: "On the device" });
    await first.dispose();
    const second = await harness({ indexedDB, databaseName: "device-1", startOffline: true });
    expect((await second.local("account", id))?.name).toBe("On the device");
  });

  it("syncNow and settle report the real counts; settle rejects a bad maxCycles", async () => {
    const h = await harness({ startOffline: true });
    await h.Xrm.WebApi.createRecord("contact", { lastname: "One" });
    await h.Xrm.WebApi.createRecord("contact", { lastname: "Two" });
    h.goOnline();
    const report = await h.settle();
    expect(report).toMatchObject({ failed: 0, conflicts: 0, pending: 0 });
    expect(h.server.count("contact")).toBe(2);
    await expect(h.settle({ maxCycles: 0 })).rejects.toMatchObject({ errorCode: 0x80040203 });
    await expect(h.settle({ maxCycles: 1.5 })).rejects.toMatchObject({ errorCode: 0x80040203 });
  });

  it("status() shows what the app's sync indicator would", async () => {
    const h = await harness({ startOffline: true });
    await h.Xrm.WebApi.createRecord("account", { name: "Pending" });
    await h.syncNow();
    expect(await h.status()).toMatchObject({ connectivity: "offline", pending: 1, failed: 0 });
    h.goOnline();
    await h.settle();
    expect(await h.status()).toMatchObject({
      connectivity: "online",
      pending: 0,
      failed: 0,
      lastError: null,
    });
  });

  it("dispose is idempotent and closes the server", async () => {
    const h = await createOfflineHarness();
    const url = h.server.url;
    await Promise.all([h.dispose(), h.dispose()]);
    await h.dispose();
    await expect(fetch(url)).rejects.toThrow();
    await expect(h.restartApp()).rejects.toMatchObject({ errorCode: expect.any(Number) });
  });
});
