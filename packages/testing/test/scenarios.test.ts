import { afterEach, describe, expect, it } from "vitest";
import { createOfflineHarness, type OfflineHarness } from "../src/index.ts";

const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

const open: OfflineHarness[] = [];
async function harness(options?: Parameters<typeof createOfflineHarness>[0]): Promise<OfflineHarness> {
  const h = await createOfflineHarness(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.dispose();
});

// The "app code" of these tests: what a form script would do through the global Xrm.WebApi.
const app = (h: OfflineHarness) => ({
  createAccount: (name: string) => h.Xrm.WebApi.createRecord("account", { name, telephone1: "100" }),
  renameAccount: (id: string, name: string) => h.Xrm.WebApi.updateRecord("account", id, { name }),
});

describe("updatedOnServerBeforeSync (created offline, then changed on the server before the device's edit synced)", () => {
  it("without conflict detection: the device's column wins, the server's other column stays", async () => {
    const h = await harness({ offlineTables: ["account"] });
    const a = app(h);
    const outcome = await h.scenarios.updatedOnServerBeforeSync({
      table: "account",
      create: () => a.createAccount("Created offline"),
      serverChange: { name: "Renamed on the server", telephone1: "200" },
      deviceChange: (id) => a.renameAccount(id, "Renamed on the device"),
    });
    expect(outcome.report).toMatchObject({ failed: 0, conflicts: 0, pending: 0 });
    expect(outcome.failures).toEqual([]);
    expect(outcome.server).toMatchObject({ name: "Renamed on the device", telephone1: "200" });
    // The pull after the push brought the server's column down.
    expect(outcome.local).toMatchObject({ name: "Renamed on the device", telephone1: "200" });
  });

  it("with conflict detection: the server wins, the device's change is kept as a conflict", async () => {
    const h = await harness({ offlineTables: ["account"], conflictDetection: true });
    const a = app(h);
    const outcome = await h.scenarios.updatedOnServerBeforeSync({
      table: "account",
      create: () => a.createAccount("Created offline"),
      serverChange: { name: "Renamed on the server", telephone1: "200" },
      deviceChange: (id) => a.renameAccount(id, "Renamed on the device"),
    });
    expect(outcome.report).toMatchObject({ pushed: 0, failed: 1, conflicts: 1, pending: 0 });
    expect(outcome.server).toMatchObject({ name: "Renamed on the server", telephone1: "200" });
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatchObject({
      action: "Update",
      entity: "account",
      recordId: outcome.id,
      errorType: 0,
      httpStatus: 412,
      data: { name: "Renamed on the device" },
    });
    // The app can still retry (apply its change over the server's) or discard it.
    await h.api.sync.retry(outcome.failures[0]!.id);
    await h.settle();
    expect(h.server.row("account", outcome.id)).toMatchObject({
      name: "Renamed on the device",
      telephone1: "200",
    });
  });

  it("create must resolve with an id; a create that cannot reach the server is reported, not hidden", async () => {
    const h = await harness();
    await expect(
      h.scenarios.updatedOnServerBeforeSync({
        table: "account",
        create: async () => 42,
        serverChange: {},
        deviceChange: async () => {},
      }),
    ).rejects.toMatchObject({
      errorCode: 0x80040203,
      message: "create must resolve with the record's id or { id }.",
    });
    h.server.faults.set({ failRate: 1, failWith: [500], appliesTo: (r) => r.method !== "GET" });
    await expect(
      h.scenarios.updatedOnServerBeforeSync({
        table: "account",
        create: () => h.Xrm.WebApi.createRecord("account", { name: "Never arrives" }),
        serverChange: {},
        deviceChange: async () => {},
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/did not reach the server\.$/) });
  });
});

describe("lookupTargetDeletedWhileOffline", () => {
  it("the write pointing at a contact deleted on the server fails like a Dataverse sync error", async () => {
    const h = await harness({
      seed: { contact: [{ contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" }] },
      offlineTables: ["account", "contact"],
    });
    expect(await h.local("contact", CONTACT)).toBeDefined();
    const outcome = await h.scenarios.lookupTargetDeletedWhileOffline({
      target: { table: "contact", id: CONTACT },
      write: () =>
        h.Xrm.WebApi.createRecord("account", {
          name: "Points at a deleted contact",
          "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
        }),
    });
    const { id } = outcome.written as { id: string };
    expect(outcome.report).toMatchObject({ pushed: 0, failed: 1, pending: 0 });
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatchObject({
      action: "Create",
      entity: "account",
      recordId: id,
      errorCode: 0x80040217,
      httpStatus: 404,
      errorType: 1,
      message: `Entity 'contact' With Id = ${CONTACT} Does Not Exist`,
    });
    expect(h.server.row("account", id)).toBeUndefined();
    // The pull took the deleted contact off the device; the failed account stays visible locally.
    expect(outcome.targetOnDevice).toBe(false);
    expect((await h.local("account", id))?.name).toBe("Points at a deleted contact");
  });
});

describe("tokenExpiredDuringSync", () => {
  it("401 on the stale token, one forced refresh, the change sent once", async () => {
    const h = await harness({ auth: true, offlineTables: ["account"] });
    const outcome = await h.scenarios.tokenExpiredDuringSync({
      write: () => h.Xrm.WebApi.createRecord("account", { name: "After the token ran out" }),
    });
    expect(outcome.report).toMatchObject({ failed: 0, pending: 0 });
    expect(outcome.failures).toEqual([]);
    expect(outcome.unauthorized).toBe(1);
    expect(outcome.tokenCalls.slice(0, 2)).toEqual([
      { forceRefresh: false, stale: true },
      { forceRefresh: true, stale: false },
    ]);
    expect(outcome.tokenCalls.slice(2).every((c) => !c.stale)).toBe(true);
    expect(h.server.rows("account").map((r) => r.name)).toEqual(["After the token ran out"]);
    // The 401 went to the write, which was then sent again with the fresh token.
    const writes = outcome.requests.filter((r) => r.method !== "GET");
    expect(writes.map((r) => r.status)).toEqual([401, expect.any(Number)]);
    expect(writes[1]?.status).toBeLessThan(300);
    expect(writes[1]?.headers.authorization).toBe(`Bearer ${h.tokens?.token}`);
  });

  it("the token runs out in the middle of the sync (after the first request)", async () => {
    const h = await harness({
      auth: { token: "s3cret" },
      offlineTables: ["account", "contact"],
      sync: { batchSize: 1 },
    });
    const outcome = await h.scenarios.tokenExpiredDuringSync({
      afterRequests: 1,
      write: async () => {
        await h.Xrm.WebApi.createRecord("account", { name: "One" });
        await h.Xrm.WebApi.createRecord("account", { name: "Two" });
        await h.Xrm.WebApi.createRecord("contact", { lastname: "Three" });
      },
    });
    expect(outcome.report).toMatchObject({ failed: 0, pending: 0 });
    expect(outcome.unauthorized).toBe(1);
    expect(outcome.requests[0]?.status).toBeLessThan(300);
    expect(outcome.requests[1]?.status).toBe(401);
    expect(h.server.count("account")).toBe(2);
    expect(h.server.count("contact")).toBe(1);
  });

  it("needs a harness with auth", async () => {
    const h = await harness();
    await expect(h.scenarios.tokenExpiredDuringSync({ write: async () => {} })).rejects.toMatchObject({
      errorCode: 0x80040203,
      message: "tokenExpiredScenario needs a harness started with { auth: true }.",
    });
  });
});

describe("appKilledMidSync", () => {
  it("killed while the batch is on the server: reopened, synced, every record exactly once", async () => {
    const h = await harness({ offlineTables: ["account"] });
    const ids: string[] = [];
    const outcome = await h.scenarios.appKilledMidSync({
      write: async () => {
        for (let i = 0; i < 5; i++)
          ids.push((await h.Xrm.WebApi.createRecord("account", { name: `A${i}` })).id);
      },
    });
    // The server applied the batch the killed app never heard back about…
    expect(outcome.killedDuring.method).toBe("POST");
    expect(outcome.killedDuring.path).toBe("$batch");
    expect(outcome.killedDuring.status).toBe(200); // answered to a device that was gone
    expect(outcome.pendingAfterRestart).toBe(5);
    // …and the reopened app's re-send changed nothing.
    expect(outcome.report).toMatchObject({ failed: 0, pending: 0 });
    expect(outcome.failures).toEqual([]);
    expect(outcome.writeRequests.length).toBeGreaterThanOrEqual(2);
    expect(h.server.count("account")).toBe(5);
    expect(new Set(h.server.rows("account").map((r) => r.accountid))).toEqual(new Set(ids));
    expect(await h.pending()).toBe(0);
  });

  it("one write per request, killed at the third: acknowledged or not, every record arrives once", async () => {
    const h = await harness({ offlineTables: ["contact"], sync: { batchSize: 1 } });
    const outcome = await h.scenarios.appKilledMidSync({
      killAtRequest: 3,
      latencyMs: 60,
      write: async () => {
        for (let i = 0; i < 6; i++) await h.Xrm.WebApi.createRecord("contact", { lastname: `C${i}` });
      },
    });
    // Two requests at most went before the third (two rounds in flight); the device may or may not
    // have recorded their answers before it died.
    expect(outcome.pendingAfterRestart).toBeGreaterThanOrEqual(4);
    expect(outcome.writeRequests.length).toBeGreaterThan(6); // some were sent twice…
    expect(outcome.report).toMatchObject({ failed: 0, pending: 0 });
    // …and each record exists once.
    expect(
      h.server
        .rows("contact")
        .map((r) => r.lastname)
        .sort(),
    ).toEqual(["C0", "C1", "C2", "C3", "C4", "C5"]);
  });

  it("updates too: a killed update is applied once, and the server keeps the last value", async () => {
    const h = await harness({ offlineTables: ["account"], startOffline: true });
    const { id } = await h.Xrm.WebApi.createRecord("account", { name: "v0" });
    h.goOnline();
    await h.settle();
    const outcome = await h.scenarios.appKilledMidSync({
      write: async () => {
        await h.Xrm.WebApi.updateRecord("account", id, { name: "v1" });
        await h.Xrm.WebApi.updateRecord("account", id, { name: "v2", telephone1: "2" });
      },
    });
    expect(outcome.report).toMatchObject({ failed: 0, pending: 0 });
    expect(h.server.row("account", id)).toMatchObject({ name: "v2", telephone1: "2" });
    expect(h.server.count("account")).toBe(1);
  });

  it("refuses bad options", async () => {
    const h = await harness();
    await expect(
      h.scenarios.appKilledMidSync({ write: async () => {}, killAtRequest: 0 }),
    ).rejects.toMatchObject({
      errorCode: 0x80040203,
    });
    await expect(h.scenarios.appKilledMidSync({ write: async () => {}, latencyMs: 1 })).rejects.toMatchObject(
      {
        errorCode: 0x80040203,
      },
    );
  });
});
