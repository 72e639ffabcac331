// FetchXML link types beyond inner/outer, as the link-entity reference and the "Filter rows" page
// describe them: the filter link types any / not any / all / not all (inside a <filter>), the
// semi-joins exists and in (the parent row at most once, no columns), and
// matchfirstrowusingcrossapply (outer with at most one child row).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;

const id = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`;
const C1 = id(1);
const C2 = id(2);
const C3 = id(3);
const C4 = id(4);

async function fetchRows(
  xml: string,
): Promise<{ status: number; code?: string; rows: Record<string, unknown>[] }> {
  const res = await api.get(`contacts?fetchXml=${encodeURIComponent(xml)}`);
  return { status: res.status, code: res.json.error?.code, rows: res.json.value ?? [] };
}

async function lastnames(filterOrLinks: string): Promise<string[]> {
  const res = await fetchRows(
    `<fetch><entity name="contact"><attribute name="lastname"/><order attribute="lastname"/>${filterOrLinks}</entity></fetch>`,
  );
  expect(res.status).toBe(200);
  return res.rows.map((r) => String(r.lastname));
}

const accountLink = (type: string, inner = "") =>
  `<link-entity name="account" from="primarycontactid" to="contactid" link-type="${type}">${inner}</link-entity>`;
const contoso = '<filter><condition attribute="name" operator="eq" value="Contoso"/></filter>';

beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  // C1 ← Contoso; C2 ← Fabrikam and Contoso; C3 (inactive) and C4 are nobody's primary contact.
  for (const [contactid, lastname, statecode] of [
    [C1, "c1", 0],
    [C2, "c2", 0],
    [C3, "c3", 1],
    [C4, "c4", 0],
  ] as const) {
    expect((await api.post("contacts", { contactid, lastname, statecode })).status).toBe(204);
  }
  for (const [accountid, name, contact] of [
    [id(11), "Contoso", C1],
    [id(12), "Fabrikam", C2],
    [id(13), "Contoso", C2],
  ] as const) {
    const res = await api.post("accounts", {
      accountid,
      name,
      "primarycontactid@odata.bind": `/contacts(${contact})`,
    });
    expect(res.status).toBe(204);
  }
});
afterAll(() => emu.close());

describe("filter link types", () => {
  it("any: referenced by at least one account; in an 'or' filter next to a condition", async () => {
    expect(await lastnames(`<filter>${accountLink("any")}</filter>`)).toEqual(["c1", "c2"]);
    expect(
      await lastnames(
        `<filter type="or">${accountLink("any")}<condition attribute="statecode" operator="eq" value="1"/></filter>`,
      ),
    ).toEqual(["c1", "c2", "c3"]);
  });

  it("not any: no related account (meeting the link's filter)", async () => {
    expect(await lastnames(`<filter>${accountLink("not any")}</filter>`)).toEqual(["c3", "c4"]);
    expect(await lastnames(`<filter>${accountLink("not any", contoso)}</filter>`)).toEqual(["c3", "c4"]);
  });

  it("all: related accounts exist and every one meets the filter; not all: one doesn't", async () => {
    expect(await lastnames(`<filter>${accountLink("all", contoso)}</filter>`)).toEqual(["c1"]);
    expect(await lastnames(`<filter>${accountLink("not all", contoso)}</filter>`)).toEqual(["c2"]);
  });
});

describe("exists, in and matchfirstrowusingcrossapply", () => {
  it("inner repeats a parent per child; exists and in return it once", async () => {
    expect(await lastnames(accountLink("inner"))).toEqual(["c1", "c2", "c2"]);
    expect(await lastnames(accountLink("exists"))).toEqual(["c1", "c2"]);
    expect(await lastnames(accountLink("in"))).toEqual(["c1", "c2"]);
    expect(await lastnames(accountLink("exists", contoso))).toEqual(["c1", "c2"]);
    expect(
      await lastnames(
        accountLink("in", '<filter><condition attribute="name" operator="eq" value="Fabrikam"/></filter>'),
      ),
    ).toEqual(["c2"]);
  });

  it("matchfirstrowusingcrossapply: every parent once, with the columns of at most one child", async () => {
    const res = await fetchRows(
      `<fetch><entity name="contact"><attribute name="lastname"/><order attribute="lastname"/><link-entity name="account" from="primarycontactid" to="contactid" link-type="matchfirstrowusingcrossapply" alias="a"><attribute name="name"/></link-entity></entity></fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.rows.map((r) => [r.lastname, r["a.name"] ?? null])).toEqual([
      ["c1", "Contoso"],
      ["c2", "Fabrikam"],
      ["c3", null],
      ["c4", null],
    ]);
  });
});

describe("refused as Dataverse refuses them", () => {
  const refused = async (body: string) => {
    const res = await fetchRows(
      `<fetch><entity name="contact"><attribute name="lastname"/>${body}</entity></fetch>`,
    );
    return { status: res.status, code: res.code };
  };
  const invalid = { status: 400, code: "0x80040203" };

  it("a filter link type outside a filter, a join type inside one, an unknown type", async () => {
    expect(await refused(accountLink("any"))).toEqual(invalid);
    expect(await refused(`<filter>${accountLink("inner")}</filter>`)).toEqual(invalid);
    expect(await refused(accountLink("sometimes"))).toEqual(invalid);
  });

  it("columns from a link that only filters", async () => {
    expect(await refused(accountLink("exists", '<attribute name="name"/>'))).toEqual(invalid);
    expect(await refused(`<filter>${accountLink("any", '<attribute name="name"/>')}</filter>`)).toEqual(
      invalid,
    );
  });
});
