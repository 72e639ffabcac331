import { describe, expect, it } from "vitest";
import { retrieveLocalRecord, retrieveLocalRecords } from "./local-query.ts";
import { ACCOUNT, CONTACT, create, openTestStore, update } from "./testing/test-store.ts";

async function seeded() {
  const { store } = await openTestStore();
  await store.applyServerRows("contact", [
    { "@odata.etag": 'W/"5"', contactid: CONTACT, fullname: "Ann Lee", firstname: "Ann" },
  ]);
  await store.write(
    create("account", {
      accountid: ACCOUNT,
      name: "Contoso",
      revenue: 10,
      primarycontactid: { logicalname: "contact", id: CONTACT },
    }),
  );
  for (let i = 1; i <= 5; i++) await store.write(create("account", { name: `Fabrikam ${i}`, revenue: i }));
  return store;
}

describe("local reads", () => {
  it("retrieveRecord with $select and $expand sees the pending local write", async () => {
    const store = await seeded();
    await store.write(update("account", ACCOUNT, { name: "Contoso 2" }));
    const r = await retrieveLocalRecord(
      store,
      "account",
      ACCOUNT.toUpperCase(),
      "?$select=name,_primarycontactid_value&$expand=primarycontactid($select=fullname)",
    );
    expect(r).toEqual({
      accountid: ACCOUNT,
      name: "Contoso 2",
      _primarycontactid_value: CONTACT,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      "_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "primarycontactid",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "Ann Lee",
      primarycontactid: { "@odata.etag": 'W/"5"', contactid: CONTACT, fullname: "Ann Lee" },
    });
    expect(Object.keys(r).some((k) => k.startsWith("_") && !k.startsWith("_primarycontactid_value"))).toBe(
      false,
    );
  });

  it("retrieveRecord of a missing record rejects with ObjectDoesNotExist", async () => {
    const store = await seeded();
    await expect(retrieveLocalRecord(store, "account", CONTACT)).rejects.toMatchObject({
      errorCode: 0x80040217,
    });
  });

  it("retrieveMultipleRecords filters, orders and pages with nextLink", async () => {
    const store = await seeded();
    const first = await retrieveLocalRecords(
      store,
      "account",
      "?$select=name&$filter=startswith(name,'Fab') and revenue ge 2&$orderby=revenue desc",
      2,
    );
    expect(first.entities.map((e) => e.name)).toEqual(["Fabrikam 5", "Fabrikam 4"]);
    expect(first.nextLink).toMatch(/^\?.*\$skiptoken=/);
    const second = await retrieveLocalRecords(store, "account", first.nextLink, 2);
    expect(second.entities.map((e) => e.name)).toEqual(["Fabrikam 3", "Fabrikam 2"]);
    expect(second.nextLink).toBeUndefined();
  });

  it("filters on a lookup through the index", async () => {
    const store = await seeded();
    const r = await retrieveLocalRecords(
      store,
      "account",
      `?$select=name&$filter=_primarycontactid_value eq ${CONTACT}`,
    );
    expect(r.entities.map((e) => e.name)).toEqual(["Contoso"]);
  });
});
