import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
let contactId: string;
let ids: string[];
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  [contactId] = emu.seed("contact", [{ firstname: "Pat", lastname: "Primary" }]) as [string];
  ids = emu.seed(
    "account",
    Array.from({ length: 25 }, (_, i) => ({
      name: `Account ${String(i).padStart(2, "0")}`,
      revenue: i * 1000,
      numberofemployees: i % 5,
      creditonhold: i % 2 === 0,
      address1_city: i < 10 ? "Seattle" : "Redmond",
      ...(i === 3 ? { "primarycontactid@odata.bind": `/contacts(${contactId})` } : {}),
    })),
  );
});
afterAll(() => emu.close());

const names = (res: { json: { value?: Record<string, unknown>[] } }) => res.json.value!.map((r) => r.name);

describe("GET /<set>(id)", () => {
  it("returns every column (null when unset), the etag and the context", async () => {
    const res = await api.get(`accounts(${ids[3]})`);
    expect(res.status).toBe(200);
    expect(res.json["@odata.context"]).toBe(`${emu.url}/$metadata#accounts/$entity`);
    expect(res.json["@odata.etag"]).toBe(`W/"${emu.store.get("account", ids[3]!)!.version}"`);
    expect(res.json).toMatchObject({
      accountid: ids[3],
      name: "Account 03",
      revenue: 3000,
      _primarycontactid_value: contactId,
      telephone1: null,
    });
    expect(Object.keys(res.json)).toHaveLength(2 + [...emu.metadata.entity("account")!.attributes()].length);
  });

  it("honours $select and $expand with a nested $select, and lookup annotations on request", async () => {
    const res = await api.get(
      `accounts(${ids[3]})?$select=name,_primarycontactid_value&$expand=primarycontactid($select=fullname)`,
      {
        Prefer: 'odata.include-annotations="*"',
      },
    );
    expect(res.json).toEqual({
      "@odata.context": `${emu.url}/$metadata#accounts(name,_primarycontactid_value,primarycontactid(fullname))/$entity`,
      "@odata.etag": res.json["@odata.etag"],
      name: "Account 03",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "Pat Primary",
      "_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "primarycontactid",
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      _primarycontactid_value: contactId,
      accountid: ids[3],
      primarycontactid: {
        "@odata.etag": `W/"${emu.store.get("contact", contactId)!.version}"`,
        fullname: "Pat Primary",
        contactid: contactId,
      },
    });
    const onlyFormatted = await api.get(`accounts(${ids[3]})?$select=_primarycontactid_value`, {
      Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
    });
    expect(Object.keys(onlyFormatted.json).filter((k) => k.includes("@"))).toEqual([
      "@odata.context",
      "@odata.etag",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue",
    ]);
  });

  it("answers 304 to If-None-Match with the current etag, 400 for unknown columns, 404 for a missing row", async () => {
    const etag = `W/"${emu.store.get("account", ids[0]!)!.version}"`;
    expect((await api.get(`accounts(${ids[0]})`, { "If-None-Match": etag })).status).toBe(304);
    expect((await api.get(`accounts(${ids[0]})`, { "If-None-Match": "null" })).status).toBe(200);
    const bad = await api.get(`accounts(${ids[0]})?$select=fullname`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({
      code: "0x0",
      message: "Could not find a property named 'fullname' on type 'Microsoft.Dynamics.CRM.account'.",
    });
    expect((await api.get(`accounts(${ids[0]})?$expand=PrimaryContactId`)).status).toBe(400);
    expect((await api.get("accounts(00000000-0000-0000-0000-000000000000)")).status).toBe(404);
    expect((await api.get("accounts(not-a-guid)")).status).toBe(400);
  });
});

describe("GET /<set>", () => {
  it("filters with comparisons, and/or/not, string functions, lookups and null", async () => {
    const q = async (filter: string) =>
      names(await api.get(`accounts?$select=name&$orderby=name&$filter=${encodeURIComponent(filter)}`));
    expect(await q("revenue ge 22000")).toEqual(["Account 22", "Account 23", "Account 24"]);
    expect(await q("revenue lt 2000 or name eq 'ACCOUNT 24'")).toEqual([
      "Account 00",
      "Account 01",
      "Account 24",
    ]);
    expect(await q("address1_city eq 'Seattle' and not (numberofemployees ne 0)")).toEqual([
      "Account 00",
      "Account 05",
    ]);
    expect(await q("contains(name,'2') and endswith(name,'1')")).toEqual(["Account 21"]);
    expect(await q("startswith(name,'account 1') and creditonhold eq true")).toEqual([
      "Account 10",
      "Account 12",
      "Account 14",
      "Account 16",
      "Account 18",
    ]);
    expect(await q(`_primarycontactid_value eq ${contactId}`)).toEqual(["Account 03"]);
    expect(await q("_primarycontactid_value ne null")).toEqual(["Account 03"]);
    expect((await q("_primarycontactid_value eq null")).length).toBe(24);
    expect(await q("numberofemployees in (4, 3) and revenue le 9000")).toEqual([
      "Account 03",
      "Account 04",
      "Account 08",
      "Account 09",
    ]);
    expect(await q("contains(name,'%')")).toEqual([]);
  });

  it("rejects bad filters with 400 0x0", async () => {
    for (const filter of [
      "name eq",
      "nosuch eq 1",
      "revenue eq 'x'",
      "name eq 'unterminated",
      "contains(revenue,'1')",
      "((((name eq 'a'",
      "name eq 1",
    ]) {
      const res = await api.get(`accounts?$filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      expect(res.json.error!.code, filter).toBe("0x0");
    }
    expect((await api.get(`accounts?$filter=${"not ".repeat(500)}name eq 'a'`)).status).toBe(400);
    expect((await api.get("accounts?$skip=3")).status).toBe(400);
  });

  it("orders, tops, counts", async () => {
    const res = await api.get("accounts?$select=name,revenue&$orderby=revenue desc&$top=3&$count=true");
    expect(res.json["@odata.context"]).toBe(`${emu.url}/$metadata#accounts(name,revenue)`);
    expect(res.json["@odata.count"]).toBe(25);
    expect(names(res)).toEqual(["Account 24", "Account 23", "Account 22"]);
    expect(res.json["@odata.nextLink"]).toBeUndefined();
    const two = await api.get("accounts?$select=name&$orderby=address1_city,name desc&$top=2");
    expect(names(two)).toEqual(["Account 24", "Account 23"]);
  });

  it("pages with odata.maxpagesize and an opaque nextLink until every row is seen once", async () => {
    for (const orderby of ["", "&$orderby=revenue desc"]) {
      const seen: string[] = [];
      let url: string | undefined = `accounts?$select=name${orderby}&$top=2`;
      let pages = 0;
      while (url) {
        const res = await api.get(url, { Prefer: "odata.maxpagesize=4" });
        expect(res.headers.get("preference-applied")).toBe("odata.maxpagesize=4");
        expect(res.json.value!.length).toBeLessThanOrEqual(4);
        seen.push(...(res.json.value!.map((r) => r.accountid) as string[]));
        url = res.json["@odata.nextLink"] as string | undefined;
        if (url) expect(url).toContain("$skiptoken=");
        pages++;
      }
      expect(pages).toBe(7);
      expect(new Set(seen).size).toBe(25);
      expect(seen.sort()).toEqual([...ids].sort());
    }
    const garbled = await api.get("accounts?$skiptoken=%%%nope");
    expect(garbled.status).toBe(400);
  });

  it("serves $count as a path segment", async () => {
    const res = await api.get("accounts/$count");
    expect(res.text).toBe("25");
  });
});

describe("error details", () => {
  it("adds ErrorDetails annotations when the Prefer header asks for them", async () => {
    const missing = "00000000-0000-0000-0000-0000000000ee";
    const plain = await api.get(`accounts(${missing})`);
    expect(Object.keys(plain.json.error!)).toEqual(["code", "message"]);
    const detailed = await api.get(`accounts(${missing})`, {
      Prefer: 'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*"',
    });
    expect(detailed.json.error).toEqual({
      code: "0x80040217",
      message: `Entity 'account' With Id = ${missing} Does Not Exist`,
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName": "ObjectDoesNotExist",
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode": "404",
      "@Microsoft.PowerApps.CDS.HelpLink":
        "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80040217&client=platform",
    });
  });
});
