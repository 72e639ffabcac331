// systemuser and team are keyed on systemuserid / teamid (Dataverse's PrimaryIdAttribute), not on
// the `ownerid` their CSDL inherits from `principal`: over HTTP on the emulator, and on the device
// after a sync, as form scripts address them.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BU = "b0000000-0000-4000-8000-000000000001";
const USER = "5a000000-0000-4000-8000-000000000001";
const TEAM = "7e000000-0000-4000-8000-000000000001";
const BU2 = "b0000000-0000-4000-8000-000000000002";
const BU3 = "b0000000-0000-4000-8000-000000000003";
const USER2 = "5a000000-0000-4000-8000-000000000002";
const USER3 = "5a000000-0000-4000-8000-000000000003";

let emulator: Emulator;
let api: OfflineWebApi;
let online: BehaviorSubject<boolean>;

beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:" });
  emulator.seed("businessunit", [{ businessunitid: BU, name: "Field Service" }]);
  emulator.seed("systemuser", [
    {
      systemuserid: USER,
      firstname: "Jordan",
      lastname: "Lee",
      "businessunitid@odata.bind": `/businessunits(${BU})`,
    },
  ]);
  emulator.seed("businessunit", [
    { businessunitid: BU2, name: "Back Office" },
    { businessunitid: BU3, name: "Empty" },
  ]);
  emulator.seed("systemuser", [
    {
      systemuserid: USER2,
      firstname: "Ana",
      lastname: "Diaz",
      "businessunitid@odata.bind": `/businessunits(${BU})`,
    },
    {
      systemuserid: USER3,
      firstname: "Kim",
      lastname: "Ito",
      "businessunitid@odata.bind": `/businessunits(${BU2})`,
    },
  ]);
  emulator.seed("team", [
    { teamid: TEAM, name: "Technicians", "businessunitid@odata.bind": `/businessunits(${BU})` },
  ]);
  online = new BehaviorSubject(true);
  api = createWebApi({
    metadata: bundledMetadata(),
    serverUrl: emulator.url,
    databaseName: "principal-keys",
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    connectivity: online,
    offlineTables: ["businessunit", "systemuser", "team"],
    sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 } },
  });
  await api.sync.syncNow();
  online.next(false);
});
afterAll(async () => {
  await api.close();
  await emulator.close();
});

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}/${path}`, { headers: { Accept: "application/json" } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("principal tables over HTTP", () => {
  it("GET systemusers(<systemuserid>) answers the user", async () => {
    const res = await get(`systemusers(${USER})?$select=fullname,systemuserid,_businessunitid_value`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ systemuserid: USER, fullname: "Jordan Lee", _businessunitid_value: BU });
  });

  it("GET teams(<teamid>) answers the team, and the key is what $metadata and EntityDefinitions say", async () => {
    expect((await get(`teams(${TEAM})?$select=name`)).json).toMatchObject({
      teamid: TEAM,
      name: "Technicians",
    });
    const def = await get("EntityDefinitions(LogicalName='systemuser')?$select=PrimaryIdAttribute");
    expect(def.json.PrimaryIdAttribute).toBe("systemuserid");
    const csdl = await (await fetch(`${emulator.url}/$metadata`)).text();
    expect(csdl).toMatch(
      /<EntityType Name="systemuser"[^>]*>\s*<Key><PropertyRef Name="systemuserid"\/><\/Key>/,
    );
  });

  it("an unknown systemuserid is 404 with Dataverse's code", async () => {
    const res = await get("systemusers(5a000000-0000-4000-8000-0000000000ff)");
    expect(res.status).toBe(404);
    expect((res.json.error as { code: string }).code).toBe("0x80040217");
  });
});

describe("principal tables offline, after a sync", () => {
  it("offline.retrieveRecord('systemuser', <systemuserid>) answers from the device", async () => {
    const user = await api.offline.retrieveRecord(
      "systemuser",
      USER,
      "?$select=fullname,_businessunitid_value",
    );
    expect(user).toMatchObject({ systemuserid: USER, fullname: "Jordan Lee", _businessunitid_value: BU });
    const team = await api.offline.retrieveRecord("team", TEAM, "?$select=name");
    expect(team).toMatchObject({ teamid: TEAM, name: "Technicians" });
  });

  it("filters and expands on the principal's own id", async () => {
    const res = await api.offline.retrieveMultipleRecords(
      "systemuser",
      `?$select=fullname&$filter=systemuserid eq ${USER}&$expand=businessunitid($select=name)`,
    );
    expect(res.entities).toEqual([
      expect.objectContaining({
        systemuserid: USER,
        fullname: "Jordan Lee",
        businessunitid: expect.objectContaining({ name: "Field Service" }),
      }),
    ]);
  });
});

describe("FetchXML one-to-many link-entity offline: business unit → its users", () => {
  const fetch = (linkType: string, linkBody: string, outer = "") =>
    `?fetchXml=<fetch><entity name='businessunit'><attribute name='name'/><order attribute='name'/>${outer}<link-entity name='systemuser' from='businessunitid' to='businessunitid' alias='u' link-type='${linkType}'>${linkBody}</link-entity></entity></fetch>`;
  const rows = async (options: string) =>
    (await api.offline.retrieveMultipleRecords("businessunit", options)).entities.map(
      (e) => `${e.name}:${e["u.fullname"] ?? "-"}`,
    );

  it("inner: one row per business unit and user, with the user's columns", async () => {
    expect(await rows(fetch("inner", "<attribute name='fullname'/>"))).toEqual([
      "Back Office:Kim Ito",
      "Field Service:Jordan Lee",
      "Field Service:Ana Diaz",
    ]);
  });

  it("outer: business units without users come back once, without user columns", async () => {
    expect(await rows(fetch("outer", "<attribute name='fullname'/>"))).toEqual([
      "Back Office:Kim Ito",
      "Empty:-",
      "Field Service:Jordan Lee",
      "Field Service:Ana Diaz",
    ]);
  });

  it("filters on the users' columns, inside the link and through entityname", async () => {
    const diaz =
      "<attribute name='fullname'/><filter><condition attribute='lastname' operator='eq' value='Diaz'/></filter>";
    expect(await rows(fetch("inner", diaz))).toEqual(["Field Service:Ana Diaz"]);
    const noUsers = "<filter><condition entityname='u' attribute='systemuserid' operator='null'/></filter>";
    expect(await rows(fetch("outer", "<attribute name='fullname'/>", noUsers))).toEqual(["Empty:-"]);
  });

  it("a link to a table that is not available offline is NotSupported", async () => {
    const error = await api.offline
      .retrieveMultipleRecords(
        "businessunit",
        "?fetchXml=<fetch><entity name='businessunit'><link-entity name='account' from='owningbusinessunit' to='businessunitid'/></entity></fetch>",
      )
      .then(
        () => undefined,
        (e: { errorCode: number }) => e,
      );
    expect(error?.errorCode).toBe(0x80040315);
  });
});
