import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { renderRequest } from "@xrm-offline/odata";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { createWebApi } from "./create-web-api.ts";
import { installXrmWebApi } from "./install-xrm-web-api.ts";
import { sequentialIds, testApi } from "./testing/test-api.ts";

const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

describe("offline writes", () => {
  it("gives created records new lower-case v4 GUIDs by default", async () => {
    const api = createWebApi({ metadata: bundledMetadata(), indexedDB: new IDBFactory(), IDBKeyRange });
    const a = await api.offline.createRecord("account", { name: "A" });
    const b = await api.offline.createRecord("account", { name: "B" });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);
    expect(a.entityType).toBe("account");
    await api.close();
  });

  it("uses the primary key the caller gives, normalised", async () => {
    const { api, inspect } = testApi();
    const r = await api.offline.createRecord("account", {
      accountid: `{${ACCOUNT.toUpperCase()}}`,
      name: "A",
    });
    expect(r).toEqual({ entityType: "account", id: ACCOUNT });
    expect(await (await inspect()).getRecord("account", ACCOUNT)).toEqual({ accountid: ACCOUNT, name: "A" });
  });

  it("reads the data object once, at call time", async () => {
    const { api, inspect } = testApi();
    const data: Record<string, unknown> = { name: "before" };
    const p = api.createRecord("account", data);
    data.name = "after";
    data.revenue = 5;
    await p;
    expect(await (await inspect()).getRecord("account", id(1))).toEqual({ accountid: id(1), name: "before" });
  });

  it("a loop of createRecord calls fired without awaiting all resolve, in order, in one group", async () => {
    const { api, inspect } = testApi();
    const results: string[] = [];
    const calls: PromiseLike<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      calls.push(api.createRecord("account", { name: `A${i}` }).then((r) => results.push(r.id)));
    }
    await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => id(i + 1)));
    const store = await inspect();
    const entries = await store.peekOutbox({ limit: 200 });
    expect(entries.map((e) => e.recordId)).toEqual(results);
  });

  it("updateRecord changes only the given columns; deleteRecord resolves as the reference page says", async () => {
    const { api, inspect, metadata } = testApi();
    await (await inspect()).applyServerRows("account", [
      { accountid: ACCOUNT, name: "A", revenue: 1, description: "d" },
    ]);
    expect(await api.updateRecord("account", ACCOUNT.toUpperCase(), { revenue: 2 })).toEqual({
      entityType: "account",
      id: ACCOUNT,
    });
    expect(await api.retrieveRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "A",
      revenue: 2,
      description: "d",
    });
    expect(await api.deleteRecord("account", ACCOUNT)).toEqual({
      entityType: "account",
      id: ACCOUNT,
      name: "A",
    });
    const entries = await (await inspect()).peekOutbox();
    // What the entries are sent as: the request rendered from each stored operation.
    expect(entries.map((e) => renderRequest(metadata, e.operation))).toEqual([
      { method: "PATCH", url: `accounts(${ACCOUNT})`, headers: { "If-Match": "*" }, body: { revenue: 2 } },
      { method: "DELETE", url: `accounts(${ACCOUNT})`, headers: {} },
    ]);
    await expect(api.retrieveRecord("account", ACCOUNT)).rejects.toMatchObject({ errorCode: 0x80040217 });
    expect(await api.retrieveMultipleRecords("account")).toEqual({ entities: [] });
  });

  it("clears a lookup with null", async () => {
    const { api } = testApi();
    const { id: a } = await api.createRecord("account", {
      name: "A",
      primarycontactid: { logicalname: "contact", id: CONTACT },
    });
    await api.updateRecord("account", a, { "primarycontactid@odata.bind": null });
    expect(await api.retrieveRecord("account", a)).toEqual({
      accountid: a,
      name: "A",
      _primarycontactid_value: null,
    });
  });
});

describe("promises: Xrm callback style and await", () => {
  it("resolves through then(success, error), await, always; rejects through error callback, catch, fail", async () => {
    const { api } = testApi();
    const p = api.createRecord("account", { name: "A" });
    expect(p).toBeInstanceOf(Promise);
    const viaThen = await p.then(
      (r) => `ok ${r.id}`,
      () => "error",
    );
    expect(viaThen).toBe(`ok ${id(1)}`);
    let always = 0;
    await (api.createRecord("account", { name: "B" }) as unknown as Xrm.Async.PromiseLike<unknown>).always(
      () => {
        always++;
      },
    );
    expect(always).toBe(1);

    const bad = () => api.createRecord("account", { nosuch: 1 });
    const viaCallback = await bad().then(
      () => null,
      (e: Xrm.ErrorResponse) => e,
    );
    expect(viaCallback).toMatchObject({ errorCode: 0, message: expect.stringContaining("nosuch") });
    const viaFail = await (bad() as unknown as Xrm.Async.PromiseLike<unknown>).fail((e) => e.errorCode);
    expect(viaFail).toBe(0);
    const caught = await bad().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(caught))).toEqual({
      errorCode: 0,
      message: "The property 'nosuch' does not exist on type 'Microsoft.Dynamics.CRM.account'.",
      code: "0x00000000",
    });
    // The promise a method returns has the legacy methods; it is a real Promise all the same.
    const returned = api.createRecord("account", { name: "C" });
    expect(typeof (returned as unknown as Xrm.Async.PromiseLike<unknown>).fail).toBe("function");
    expect(returned.constructor).toBe(Promise);
    await returned;
    // A synchronous-looking misuse is still a rejection, never a throw.
    let misuse: PromiseLike<unknown> | undefined;
    expect(() => {
      misuse = api.createRecord(undefined as unknown as string, undefined);
    }).not.toThrow();
    await expect(misuse).rejects.toMatchObject({ errorCode: 0x80040203 });
  });
});

describe("offline reads", () => {
  async function seeded() {
    const t = testApi();
    const s = await t.inspect();
    await s.applyServerRows("contact", [
      { "@odata.etag": 'W/"1"', contactid: CONTACT, fullname: "Ann Lee", firstname: "Ann", lastname: "Lee" },
    ]);
    for (const [n, name, revenue] of [
      [1, "Contoso", 300],
      [2, "Fabrikam", 100],
      [3, "Adventure Works", 200],
      [4, "Fourth Coffee", 400],
    ] as const) {
      await t.api.createRecord("account", {
        name,
        revenue,
        ...(n % 2 === 1 ? { primarycontactid: { logicalname: "contact", id: CONTACT } } : {}),
      });
    }
    return t;
  }

  it("$select, $filter, $orderby, $top", async () => {
    const { api } = await seeded();
    const r = await api.retrieveMultipleRecords(
      "account",
      "?$select=name,revenue&$filter=revenue gt 100 and (contains(name,'o') or endswith(name,'Works'))&$orderby=revenue desc&$top=2",
    );
    expect(r).toEqual({
      entities: [
        { accountid: id(4), name: "Fourth Coffee", revenue: 400 },
        { accountid: id(1), name: "Contoso", revenue: 300 },
      ],
    });
    const not = await api.retrieveMultipleRecords(
      "account",
      "?$select=name&$filter=not (revenue le 200) and name ne 'Contoso'",
    );
    expect(not.entities.map((e) => e.name)).toEqual(["Fourth Coffee"]);
  });

  it("single-valued $expand with nested $select, and nextLink paging", async () => {
    const { api } = await seeded();
    const page1 = await api.retrieveMultipleRecords(
      "account",
      "?$select=name&$expand=primarycontactid($select=fullname)&$orderby=name",
      3,
    );
    expect(
      page1.entities.map((e) => [
        e.name,
        (e.primarycontactid as { fullname?: string } | null)?.fullname ?? null,
      ]),
    ).toEqual([
      ["Adventure Works", "Ann Lee"],
      ["Contoso", "Ann Lee"],
      ["Fabrikam", null],
    ]);
    expect(page1.nextLink).toBeDefined();
    const page2 = await api.retrieveMultipleRecords("account", page1.nextLink, 3);
    expect(page2.entities.map((e) => e.name)).toEqual(["Fourth Coffee"]);
    expect(page2.nextLink).toBeUndefined();
  });

  it("FetchXML with a condition and a link-entity", async () => {
    const { api } = await seeded();
    const fetch = `<fetch mapping='logical'><entity name='account'><attribute name='name'/><order attribute='name'/><filter><condition attribute='revenue' operator='ge' value='200'/></filter><link-entity name='contact' from='contactid' to='primarycontactid' alias='pc'><attribute name='fullname'/></link-entity></entity></fetch>`;
    const r = await api.retrieveMultipleRecords("account", `?fetchXml=${fetch}`);
    expect(r.entities).toEqual([
      { accountid: id(3), name: "Adventure Works", "pc.fullname": "Ann Lee" },
      { accountid: id(1), name: "Contoso", "pc.fullname": "Ann Lee" },
    ]);
  });

  it("FetchXML eq-userid uses the configured user", async () => {
    const me = "aaaaaaaa-0000-4000-8000-000000000001";
    const { api, inspect } = testApi({ queryContext: { userId: me } });
    await (await inspect()).applyServerRows("account", [
      { accountid: id(1), name: "Mine", _ownerid_value: me },
      { accountid: id(2), name: "Theirs", _ownerid_value: "bbbbbbbb-0000-4000-8000-000000000002" },
    ]);
    const fetch =
      "<fetch><entity name='account'><attribute name='name'/><filter><condition attribute='ownerid' operator='eq-userid'/></filter></entity></fetch>";
    const r = await api.retrieveMultipleRecords("account", `?fetchXml=${fetch}`);
    expect(r.entities.map((e) => e.name)).toEqual(["Mine"]);
    const { api: anonymous } = testApi();
    await expect(anonymous.retrieveMultipleRecords("account", `?fetchXml=${fetch}`)).rejects.toMatchObject({
      message: expect.stringContaining("current user"),
    });
  });

  it("retrieveRecord sees pending writes and never leaks bookkeeping", async () => {
    const { api } = await seeded();
    await api.updateRecord("account", id(2), { description: "pending" });
    const r = await api.retrieveRecord("account", id(2));
    expect(r).toEqual({ accountid: id(2), name: "Fabrikam", revenue: 100, description: "pending" });
  });
});

describe("isAvailableOffline", () => {
  it("is synchronous; every metadata table when offlineTables is absent", () => {
    const { api } = testApi();
    expect(api.offline.isAvailableOffline("account")).toBe(true);
    expect(api.isAvailableOffline("queue")).toBe(true);
    expect(api.isAvailableOffline("nosuchtable")).toBe(false);
    expect(api.isAvailableOffline("Account")).toBe(false);
    expect(api.isAvailableOffline("__proto__")).toBe(false);
    expect(api.isAvailableOffline(undefined as unknown as string)).toBe(false);
    expect(api.online.isAvailableOffline("account")).toBe(true);
  });

  it("only the configured tables when offlineTables is given (array or object)", () => {
    const { api } = testApi({ offlineTables: ["account", "contact"] });
    expect(["account", "contact", "lead"].map((t) => api.isAvailableOffline(t))).toEqual([true, true, false]);
    const { api: api2 } = testApi({ offlineTables: { task: { filter: "statecode eq 0" } } });
    expect(["task", "account"].map((t) => api2.offline.isAvailableOffline(t))).toEqual([true, false]);
  });

  it("an unknown table in offlineTables is a configuration error", () => {
    // EntityNotExist, naming the table in the message.
    expect(() => testApi({ offlineTables: ["account", "nosuch"] })).toThrow(
      expect.objectContaining({ errorCode: 0x8004f899, message: expect.stringContaining("'nosuch'") }),
    );
    expect(() => testApi({ offlineTables: JSON.parse('{"__proto__":{}}') })).toThrow(
      expect.objectContaining({ errorCode: 0x8004f899 }),
    );
  });
});

describe("offlineTables indexes", () => {
  it("indexes the named columns (reads use them) and refuses unknown ones at creation", async () => {
    const { api } = testApi({ offlineTables: { account: { indexes: ["revenue"], priority: 1 } } });
    await api.createRecord("account", { accountid: id(1), name: "A", revenue: 10 });
    await api.createRecord("account", { accountid: id(2), name: "B", revenue: 500 });
    const r = await api.retrieveMultipleRecords("account", "?$select=name&$filter=revenue gt 100");
    expect(r.entities.map((e) => e.name)).toEqual(["B"]);
    expect(() => testApi({ offlineTables: { account: { indexes: ["nosuchcolumn"] } } })).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
    await api.close();
  });
});

describe("lifecycle", () => {
  it("close and reopen: every record and queued entry is still there", async () => {
    const indexedDB = new IDBFactory();
    const options = {
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
      databaseName: "org",
      newId: sequentialIds(),
    };
    const api = createWebApi(options);
    await api.createRecord("contact", { lastname: "Lee" });
    await api.createRecord("account", { name: "A", primarycontactid: { logicalname: "contact", id: id(1) } });
    await api.updateRecord("account", id(2), { revenue: 5 });
    const before = await api.retrieveMultipleRecords("account");
    await api.close();
    // After close the database is closed: UnexpectedError (Dexie's DatabaseClosedError), nothing written.
    await expect(api.createRecord("account", { name: "late" })).rejects.toMatchObject({
      errorCode: 0x80040216,
    });
    const again = createWebApi({ metadata: bundledMetadata(), indexedDB, IDBKeyRange, databaseName: "org" });
    expect(await again.retrieveMultipleRecords("account")).toEqual(before);
    expect(await again.sync.pendingCount()).toBe(3);
    await again.close();
  });

  it("installXrmWebApi puts the object on Xrm.WebApi and restores the previous one", () => {
    const { api } = testApi();
    const existing = { WebApi: "host api", Page: {} };
    const target: { Xrm?: { WebApi?: unknown; Page?: unknown } } = { Xrm: existing };
    const undo = installXrmWebApi(api, target);
    expect(target.Xrm?.WebApi).toBe(api);
    expect(target.Xrm?.Page).toBe(existing.Page);
    undo();
    expect(target.Xrm?.WebApi).toBe("host api");
    const empty: { Xrm?: { WebApi?: unknown } } = {};
    installXrmWebApi(api, empty);
    expect(empty.Xrm?.WebApi).toBe(api);
  });
});
