/// <reference types="xrm" />
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { afterEach, describe, expect, it } from "vitest";
import { createOfflineHarness, type HarnessClientContext, type OfflineHarness } from "../src/index.ts";

const open: OfflineHarness[] = [];
async function harness(options?: Parameters<typeof createOfflineHarness>[0]): Promise<OfflineHarness> {
  const h = await createOfflineHarness(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.dispose();
});

// The harness's client context satisfies @types/xrm's (compile-time check).
const asXrm = (c: HarnessClientContext): Xrm.ClientContext => c as Xrm.ClientContext & HarnessClientContext;

describe("Xrm.Utility.getGlobalContext().client", () => {
  it("offline-first: always Offline, isOffline() true; isNetworkAvailable() follows the network", async () => {
    const h = await harness();
    const client = asXrm(h.Xrm.Utility.getGlobalContext().client);
    expect(client.getClientState()).toBe("Offline");
    expect(client.isOffline()).toBe(true);
    expect(client.isNetworkAvailable()).toBe(true);
    h.goOffline();
    expect(client.getClientState()).toBe("Offline");
    expect(client.isOffline()).toBe(true);
    expect(client.isNetworkAvailable()).toBe(false);
    h.goOnline();
    expect(client.isNetworkAvailable()).toBe(true);
    expect(client.getClient()).toBe("Mobile");
    expect(client.getFormFactor()).toBe(3);
  });

  it("client and formFactor can be set; bad values are refused before anything starts", async () => {
    const h = await harness({ client: { client: "Web", formFactor: 1 } });
    const client = h.Xrm.Utility.getGlobalContext().client;
    expect([client.getClient(), client.getFormFactor()]).toEqual(["Web", 1]);
    await expect(createOfflineHarness({ client: { client: "web" as "Web" } })).rejects.toMatchObject({
      errorCode: 0x80040203,
      message: 'client must be "Web", "Outlook" or "Mobile", got "web".',
    });
    await expect(createOfflineHarness({ client: { formFactor: 4 as 3 } })).rejects.toMatchObject({
      errorCode: 0x80040203,
      message: "formFactor must be 0, 1, 2 or 3, got 4.",
    });
  });

  it("getClientUrl() is the emulator's origin, so scripts building URLs from it reach the emulator", async () => {
    const h = await harness();
    const ctx = h.Xrm.Utility.getGlobalContext();
    expect(`${ctx.getClientUrl()}/api/data/v9.2`).toBe(h.server.url);
  });
});

describe("install()", () => {
  it("installs the harness's Xrm as the global one and puts the previous one back", async () => {
    const h = await harness();
    const g = globalThis as { Xrm?: unknown };
    expect(g.Xrm).toBeUndefined();
    const restore = h.install();
    expect(g.Xrm).toBe(h.Xrm);
    const { id } = await Xrm.WebApi.createRecord("account", { name: "Through the global" });
    expect((await h.local("account", id))?.name).toBe("Through the global");
    restore();
    expect("Xrm" in g).toBe(false);
  });

  it("restores a pre-existing Xrm (e.g. a form mock) on dispose", async () => {
    const target: { Xrm?: unknown } = { Xrm: { Page: "form mock" } };
    const previous = target.Xrm;
    const h = await createOfflineHarness();
    h.install(target);
    expect(target.Xrm).toBe(h.Xrm);
    await h.dispose();
    expect(target.Xrm).toBe(previous);
  });

  it("Xrm.WebApi follows restartApp (a script reading the global gets the new client)", async () => {
    const h = await harness({ startOffline: true });
    const target: { Xrm?: { WebApi: unknown } } = {};
    h.install(target);
    const first = target.Xrm?.WebApi;
    await h.restartApp();
    expect(target.Xrm?.WebApi).toBe(h.api);
    expect(target.Xrm?.WebApi).not.toBe(first);
  });
});

describe("bad options: a clear XrmError, and nothing left running", () => {
  it.each([
    ["options not an object", "nope", "createOfflineHarness: options must be an object."],
    [
      "seed not an object",
      { seed: [] },
      "createOfflineHarness: seed must be an object of { table: rows[] }.",
    ],
    [
      "unknown seed table",
      { seed: { nosuch: [] } },
      "createOfflineHarness: seed names an unknown table 'nosuch'.",
    ],
    [
      "wrong-case seed table",
      { seed: { Account: [] } },
      "createOfflineHarness: seed names an unknown table 'Account'.",
    ],
    [
      "__proto__ seed table",
      { seed: JSON.parse('{"__proto__": []}') },
      "createOfflineHarness: seed names an unknown table '__proto__'.",
    ],
    [
      "seed rows not an array",
      { seed: { account: { name: "x" } } },
      "createOfflineHarness: seed.account must be an array of rows.",
    ],
    [
      "seed row not an object",
      { seed: { account: ["x"] } },
      "createOfflineHarness: seed.account[0] must be a plain object.",
    ],
    ["auth with spaces", { auth: { token: "a b" } }, /^createOfflineHarness: auth must be/],
    ["auth wrong type", { auth: "yes" }, /^createOfflineHarness: auth must be/],
  ])("%s", async (_name, options, message) => {
    const e = await createOfflineHarness(options as never).then(
      () => undefined,
      (err: { errorCode: number; message: string }) => err,
    );
    expect(e?.errorCode).toBe(0x80040203);
    if (typeof message === "string") expect(e?.message).toBe(message);
    else expect(e?.message).toMatch(message);
  });

  const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;

  it("a seed row the server refuses: the server's message, and the emulator is closed", async () => {
    const before = servers();
    const e = await createOfflineHarness({ seed: { account: [{ name: 5 }] } }).then(
      () => undefined,
      (err: { errorCode: number; message: string }) => err,
    );
    expect(e?.errorCode).toBe(0x80040203);
    expect(e?.message).toMatch(/^createOfflineHarness: seeding 'account' failed: /);
    expect(servers()).toBe(before);
  });

  it("unknown offline table: the engine's error; the emulator does not leak", async () => {
    const before = servers();
    await expect(createOfflineHarness({ offlineTables: ["nosuchtable"] })).rejects.toMatchObject({
      errorCode: expect.any(Number),
      message: expect.stringContaining("nosuchtable"),
    });
    expect(servers()).toBe(before);
  });

  it("a first sync the server refuses (a bad profile filter): rejected with the server's message, nothing left", async () => {
    const before = servers();
    await expect(
      createOfflineHarness({ offlineTables: { account: { filter: "nosuchcolumn eq 1" } } }),
    ).rejects.toMatchObject({
      errorCode: 0,
      message:
        "createOfflineHarness: the first sync failed: Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.account'.",
    });
    expect(servers()).toBe(before);
  });

  it("metadata as CSDL XML works like the Metadata object", async () => {
    // The $metadata document a server serves, as an app would have it.
    const source = await harness({ metadata: bundledMetadata() });
    const xml = await (await fetch(`${source.server.url}/$metadata`)).text();
    const h = await harness({
      metadata: xml,
      seed: { account: [{ name: "From XML" }] },
      offlineTables: ["account"],
    });
    const r = await h.Xrm.WebApi.retrieveMultipleRecords("account", "?$select=name");
    expect(r.entities.map((x) => x.name)).toEqual(["From XML"]);
  });
});
