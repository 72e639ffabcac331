/**
 * Client mistakes in the query features added for Dataverse fidelity ($apply, query functions,
 * aliases, navigation paths, nested $expand, FetchXML, functions) are 400s with a code, never
 * 500s, and the server keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  await api.post("accounts", { name: "A", numberofemployees: 5 });
});
afterAll(() => emu.close());

const fx = (xml: string) => `accounts?fetchXml=${encodeURIComponent(xml)}`;

const CASES: readonly (readonly [string, string, string])[] = [
  ["$apply garbage", "accounts?$apply=groupby(name)", "0x0"],
  ["$apply unknown transformation", "accounts?$apply=compute(x as y)", "0x0"],
  ["$apply sum of a string", "accounts?$apply=aggregate(name with sum as s)", "0x0"],
  ["$apply unknown method", "accounts?$apply=aggregate(revenue with median as m)", "0x0"],
  ["$apply unknown column", "accounts?$apply=groupby((nope))", "0x0"],
  ["$apply alias twice", "accounts?$apply=aggregate($count as n,revenue with sum as n)", "0x0"],
  ["$apply groupby a date-time", "accounts?$apply=groupby((createdon))", "0x0"],
  [
    "unknown query function",
    "accounts?$filter=Microsoft.Dynamics.CRM.InFiscalYear(PropertyName='createdon',PropertyValue=2024)",
    "0x0",
  ],
  [
    "query function without its parameter",
    "accounts?$filter=Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon')",
    "0x0",
  ],
  [
    "query function, bad number",
    "accounts?$filter=Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue='x')",
    "0x0",
  ],
  [
    "query function not closed",
    "accounts?$filter=Microsoft.Dynamics.CRM.Today(PropertyName='createdon'",
    "0x0",
  ],
  [
    "Between with one value",
    "accounts?$filter=Microsoft.Dynamics.CRM.Between(PropertyName='revenue',PropertyValues=[\"1\"])",
    "0x0",
  ],
  [
    "In on a number column with text",
    "accounts?$filter=Microsoft.Dynamics.CRM.In(PropertyName='numberofemployees',PropertyValues=[\"a\"])",
    "0x0",
  ],
  ["navigation path to an unknown column", "accounts?$filter=primarycontactid/nope eq 'x'", "0x0"],
  ["navigation path, unknown navigation", "accounts?$filter=nope/fullname eq 'x'", "0x0"],
  [
    "navigation path too long",
    `accounts?$filter=${"primarycontactid/parentcustomerid_account/".repeat(3)}name eq 'x'`,
    "0x0",
  ],
  [
    "$expand nested 11 deep",
    `accounts?$expand=${"primarycontactid($expand=".repeat(11)}parentcustomerid_account${")".repeat(11)}`,
    "0x0",
  ],
  [
    "fetchXml: unknown operator",
    fx(
      "<fetch><entity name='account'><filter><condition attribute='name' operator='sounds-like' value='x'/></filter></entity></fetch>",
    ),
    "0x80040203",
  ],
  [
    "fetchXml: unknown link table",
    fx("<fetch><entity name='account'><link-entity name='nope' from='a' to='accountid'/></entity></fetch>"),
    "0x80041102",
  ],
  ["fetchXml: unknown table", fx("<fetch><entity name='nope'/></fetch>"), "0x80041102"],
  ["fetchXml: top with count", fx("<fetch top='5' count='5'><entity name='account'/></fetch>"), "0x80040203"],
  [
    "fetchXml: bad number value",
    fx(
      "<fetch><entity name='account'><filter><condition attribute='numberofemployees' operator='eq' value='x'/></filter></entity></fetch>",
    ),
    "0x80040203",
  ],
  [
    "fetchXml: two roots",
    fx("<fetch><entity name='account'/><entity name='account'/></fetch>"),
    "0x80040203",
  ],
  ["fetchXml: with $select", `${fx("<fetch><entity name='account'/></fetch>")}&$select=name`, "0x80040203"],
  [
    "fetchXml on a navigation collection",
    `accounts(00000000-0000-0000-0000-000000000001)/contact_customer_accounts?fetchXml=x`,
    "0x80040217",
  ],
  [
    "RetrieveTotalRecordCount without a list",
    "RetrieveTotalRecordCount(EntityNames=@p1)?@p1='account'",
    "0x0",
  ],
];

describe("bad input to the query extensions", () => {
  it.each(CASES)("%s → 400 or 404 with a code", async (_name, path, code) => {
    const r = await api.get(path);
    expect(r.status).toBe(code === "0x80040217" ? 404 : 400);
    expect(r.json.error?.code).toBe(code);
  });

  it("still answers afterwards", async () => {
    expect((await api.get("accounts?$select=name")).json.value).toHaveLength(1);
  });
});
