import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, idFromEntityId, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
});
afterAll(() => emu.close());
beforeEach(() => emu.clear());

const version = (table: string, id: string) => emu.store.get(table, id)!.version;

describe("PATCH /<set>(id)", () => {
  it("updates a row, bumps its row version and answers 204 with OData-EntityId", async () => {
    const [id] = emu.seed("account", [{ name: "Before", revenue: 1 }]);
    const v1 = version("account", id!);
    const res = await api.patch(`accounts(${id})`, { name: "After", creditonhold: true });
    expect(res.status).toBe(204);
    expect(res.headers.get("odata-entityid")).toBe(`${emu.url}/accounts(${id})`);
    expect(emu.row("account", id!)).toMatchObject({ name: "After", revenue: 1, creditonhold: true });
    expect(version("account", id!)).toBeGreaterThan(v1);
    expect(emu.row("account", id!)!.versionnumber).toBe(version("account", id!));
  });

  it("is an upsert by default: a missing row is created with the key from the URL", async () => {
    const id = "aaaaaaaa-0000-0000-0000-000000000001";
    const created = await api.patch(
      `accounts(${id})`,
      { name: "Upserted" },
      { Prefer: "return=representation" },
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ accountid: id, name: "Upserted" });
    const updated = await api.patch(
      `accounts(${id})?$select=name`,
      { name: "Again" },
      { Prefer: "return=representation" },
    );
    expect(updated.status).toBe(200);
    expect(updated.headers.get("etag")).toBe(`W/"${version("account", id)}"`);
    expect(updated.json).toEqual({
      "@odata.context": `${emu.url}/$metadata#accounts(name)/$entity`,
      "@odata.etag": `W/"${version("account", id)}"`,
      name: "Again",
      accountid: id,
    });
    const plain = await api.patch("accounts(aaaaaaaa-0000-0000-0000-000000000002)", { name: "204 too" });
    expect(plain.status).toBe(204);
    expect(idFromEntityId(plain.headers.get("odata-entityid"))).toBe("aaaaaaaa-0000-0000-0000-000000000002");
    expect(emu.count("account")).toBe(2);
  });

  it("upserts by alternate key, copying the key values into the new row", async () => {
    const res = await api.patch("contacts(emailaddress1='alt@example.com')", { firstname: "Alt" });
    expect(res.status).toBe(204);
    const id = idFromEntityId(res.headers.get("odata-entityid"));
    expect(emu.row("contact", id)).toMatchObject({ emailaddress1: "alt@example.com", firstname: "Alt" });
    const again = await api.patch("contacts(emailaddress1='alt@example.com')", { lastname: "Key" });
    expect(idFromEntityId(again.headers.get("odata-entityid"))).toBe(id);
    expect(emu.count("contact")).toBe(1);
    expect(emu.row("contact", id)!.fullname).toBe("Alt Key");
  });

  it("If-Match: * on a missing row → 404 0x80040217, nothing created", async () => {
    const id = "bbbbbbbb-0000-0000-0000-000000000001";
    const res = await api.patch(`accounts(${id})`, { name: "x" }, { "If-Match": "*" });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: { code: "0x80040217", message: `Entity 'account' With Id = ${id} Does Not Exist` },
    });
    expect(emu.count("account")).toBe(0);
  });

  it("If-None-Match: * on an existing row → 412 0x80040237, nothing changed", async () => {
    const [id] = emu.seed("account", [{ name: "Keep" }]);
    const res = await api.patch(`accounts(${id})`, { name: "Changed" }, { "If-None-Match": "*" });
    expect(res.status).toBe(412);
    expect(res.json.error!.code).toBe("0x80040237");
    expect(emu.row("account", id!)!.name).toBe("Keep");
    const create = await api.patch(
      "accounts(bbbbbbbb-0000-0000-0000-000000000009)",
      { name: "New" },
      { "If-None-Match": "*" },
    );
    expect(create.status).toBe(204);
  });

  it("If-Match with a stale ETag → 412 0x80060882; the current one → 204", async () => {
    const [id] = emu.seed("account", [{ name: "v1" }]);
    const etag = `W/"${version("account", id!)}"`;
    expect((await api.patch(`accounts(${id})`, { name: "v2" }, { "If-Match": etag })).status).toBe(204);
    const stale = await api.patch(`accounts(${id})`, { name: "v3" }, { "If-Match": etag });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      error: {
        code: "0x80060882",
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
    });
    expect(emu.row("account", id!)!.name).toBe("v2");
    const staleDelete = await api.delete(`accounts(${id})`, { "If-Match": etag });
    expect(staleDelete.status).toBe(412);
    expect(emu.count("account")).toBe(1);
  });

  it("clears lookups with null binds or null navigation properties, and refuses deep insert", async () => {
    const [c] = emu.seed("contact", [{ firstname: "P" }]);
    const [a] = emu.seed("account", [{ name: "A", "primarycontactid@odata.bind": `/contacts(${c})` }]);
    const [b] = emu.seed("account", [{ name: "B", "parentaccountid@odata.bind": `/accounts(${a})` }]);
    expect((await api.patch(`accounts(${a})`, { "primarycontactid@odata.bind": null })).status).toBe(204);
    expect(emu.row("account", a!)!._primarycontactid_value).toBeNull();
    expect((await api.patch(`accounts(${b})`, { parentaccountid: null })).status).toBe(204);
    expect(emu.row("account", b!)!._parentaccountid_value).toBeNull();
    const deep = await api.patch(`accounts(${a})`, { primarycontactid: { firstname: "nested" } });
    expect(deep.status).toBe(400);
    expect(emu.count("contact")).toBe(1);
  });
});

describe("DELETE, single properties and $ref", () => {
  it("DELETE answers 204 then 404", async () => {
    const [id] = emu.seed("account", [{ name: "gone" }]);
    expect((await api.delete(`accounts(${id})`)).status).toBe(204);
    expect(emu.count("account")).toBe(0);
    const again = await api.delete(`accounts(${id})`);
    expect(again.status).toBe(404);
    expect(again.json.error!.code).toBe("0x80040217");
    const read = await api.get(`accounts(${id})`);
    expect(read.status).toBe(404);
  });

  it("PUT and DELETE of one column", async () => {
    const [id] = emu.seed("account", [{ name: "Name", description: "desc" }]);
    expect((await api.put(`accounts(${id})/name`, { value: "Updated Sample Account Name" })).status).toBe(
      204,
    );
    expect((await api.delete(`accounts(${id})/description`)).status).toBe(204);
    expect(emu.row("account", id!)).toMatchObject({ name: "Updated Sample Account Name", description: null });
    const read = await api.get(`accounts(${id})/name`);
    expect(read.json.value).toBe("Updated Sample Account Name");
    expect((await api.put(`accounts(${id})/name`, { value: 3 })).status).toBe(400);
    expect((await api.put(`accounts(${id})/nosuch`, { value: 3 })).status).toBe(400);
    expect((await api.put(`accounts(${id})/name`, { notvalue: "x" })).status).toBe(400);
    expect((await api.delete(`accounts(${id})/primarycontactid`)).status).toBe(400);
    expect(
      (await api.put("accounts(00000000-0000-0000-0000-000000000404)/name", { value: "x" })).status,
    ).toBe(404);
  });

  it("PUT/DELETE <nav>/$ref sets and clears a single-valued lookup", async () => {
    const [c] = emu.seed("contact", [{ firstname: "Ref" }]);
    const [a] = emu.seed("account", [{ name: "A" }]);
    const put = await api.put(`accounts(${a})/primarycontactid/$ref`, {
      "@odata.id": `${emu.url}/contacts(${c})`,
    });
    expect(put.status).toBe(204);
    expect(emu.row("account", a!)!._primarycontactid_value).toBe(c);
    expect((await api.delete(`accounts(${a})/primarycontactid/$ref`)).status).toBe(204);
    expect(emu.row("account", a!)!._primarycontactid_value).toBeNull();
  });

  it("POST <collection>/$ref associates; DELETE …(<id>)/$ref and ?$id= disassociate", async () => {
    const [a] = emu.seed("account", [{ name: "A" }]);
    const [o1, o2] = emu.seed("opportunity", [{ name: "O1" }, { name: "O2" }]);
    for (const o of [o1, o2]) {
      const res = await api.post(`accounts(${a})/opportunity_customer_accounts/$ref`, {
        "@odata.id": `${emu.url}/opportunities(${o})`,
      });
      expect(res.status).toBe(204);
    }
    expect(emu.rows("opportunity").map((o) => o._customerid_value)).toEqual([a, a]);
    const expanded = await api.get(
      `accounts(${a})?$select=name&$expand=opportunity_customer_accounts($select=name;$orderby=name)`,
    );
    expect((expanded.json.opportunity_customer_accounts as { name: string }[]).map((o) => o.name)).toEqual([
      "O1",
      "O2",
    ]);
    expect((await api.delete(`accounts(${a})/opportunity_customer_accounts(${o1})/$ref`)).status).toBe(204);
    expect(emu.row("opportunity", o1!)!._customerid_value).toBeNull();
    const byId = await api.delete(
      `accounts(${a})/opportunity_customer_accounts/$ref?$id=${emu.url}/opportunities(${o2})`,
    );
    expect(byId.status).toBe(204);
    expect(emu.row("opportunity", o2!)!._customerid_value).toBeNull();
    const bad = await api.post(`accounts(${a})/Opportunity_Customer_Accounts/$ref`, {
      "@odata.id": `/opportunities(${o1})`,
    });
    expect(bad.status).toBe(400);
  });

  it("associates many-to-many relationships", async () => {
    const [a] = emu.seed("account", [{ name: "A" }]);
    const [l] = emu.seed("lead", [{ lastname: "Lead" }]);
    expect(
      (await api.post(`accounts(${a})/accountleads_association/$ref`, { "@odata.id": `/leads(${l})` }))
        .status,
    ).toBe(204);
    const read = await api.get(
      `accounts(${a})?$select=name&$expand=accountleads_association($select=lastname)`,
    );
    expect(read.json.accountleads_association).toEqual([
      { "@odata.etag": `W/"${version("lead", l!)}"`, lastname: "Lead", leadid: l },
    ]);
    expect((await api.delete(`accounts(${a})/accountleads_association(${l})/$ref`)).status).toBe(204);
    const after = await api.get(
      `accounts(${a})?$select=name&$expand=accountleads_association($select=lastname)`,
    );
    expect(after.json.accountleads_association).toEqual([]);
  });
});
