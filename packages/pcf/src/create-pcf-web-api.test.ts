/// <reference types="powerapps-component-framework" />
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { of } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPcfWebApi, type OfflinePcfWebApi } from "./create-pcf-web-api.ts";

const USER = "{7D577253-3EF0-4A0A-BB7F-8335C2596E70}";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

// Over HTTP against the emulator: a wait budget for a busy machine, not a speed check.
describe("createPcfWebApi: a ComponentFramework.WebApi that works offline", { timeout: 30_000 }, () => {
  let emulator: Emulator;
  let indexedDB: IDBFactory;
  let api: OfflinePcfWebApi | undefined;
  beforeEach(async () => {
    emulator = await startEmulator();
    emulator.seed("contact", [{ contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" }]);
    indexedDB = new IDBFactory();
  });
  afterEach(async () => {
    await api?.close();
    await emulator.close();
  });

  function open(online: boolean): OfflinePcfWebApi {
    api = createPcfWebApi(
      { userSettings: { userId: USER } },
      {
        serverUrl: emulator.url,
        indexedDB,
        IDBKeyRange,
        offlineTables: ["account", "contact"],
        connectivity: of(online),
        sync: { debounceMs: 1, autoStart: false },
      },
    );
    return api;
  }

  it("lists pulled records, creates offline, and syncs; the database is the org's and the user's", async () => {
    const webAPI: ComponentFramework.WebApi = open(true);
    await api?.sync.syncNow();
    const contacts = await webAPI.retrieveMultipleRecords("contact", "?$select=fullname");
    expect(contacts.entities.map((c) => c.fullname)).toEqual(["Yvonne McKay"]);
    // The last page has no nextLink, as on the platform.
    expect("nextLink" in contacts).toBe(false);

    const created = await webAPI.createRecord("account", {
      name: "From a PCF control",
      "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
    });
    expect(created).toEqual({ entityType: "account", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await webAPI.retrieveRecord("account", created.id, "?$select=name")).toMatchObject({
      name: "From a PCF control",
    });
    expect(emulator.row("account", created.id)).toBeUndefined();
    expect(await api?.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0, pending: 0 });
    expect(emulator.row("account", created.id)).toMatchObject({
      name: "From a PCF control",
      _primarycontactid_value: CONTACT,
    });

    expect(await webAPI.updateRecord("account", created.id, { name: "Renamed" })).toEqual({
      entityType: "account",
      id: created.id,
    });
    expect(await webAPI.deleteRecord("account", created.id)).toMatchObject({
      entityType: "account",
      id: created.id,
    });
    await api?.close();
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual([
      `xrm-offline:${new URL(emulator.url).host}:7d577253-3ef0-4a0a-bb7f-8335c2596e70`,
    ]);
  });

  it("bad input rejects with { errorCode, message } and writes nothing", async () => {
    const webAPI = open(false);
    await expect(webAPI.createRecord("nosuchtable", { name: "x" })).rejects.toMatchObject({
      errorCode: expect.any(Number),
      message: expect.any(String),
    });
    await expect(webAPI.createRecord("account", { nosuchcolumn: 1 })).rejects.toMatchObject({
      errorCode: expect.any(Number),
    });
    expect(await api?.sync.pendingCount()).toBe(0);
  });
});
