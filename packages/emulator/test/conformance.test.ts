/**
 * Conformance with Microsoft's documented Web API exchanges, over HTTP.
 *
 * Sources (the spec; data and expected outcomes are taken from them, not their code):
 * - [QDS] PowerApps-Samples dataverse/webapi/JS/SPASample/src/samples/QueryDataSample.js — the
 *   "Contoso, Ltd. (sample)" account, its primary contact Yvonne McKay and the eight
 *   contact_customer_accounts contacts with job titles and incomes, three tasks each.
 * - [BOS] …/BasicOperationsSample.js, [COS] …/ConditionalOperationsSample.js, [BS] …/BatchSample.js,
 *   [API] …/scripts/DataverseWebAPI.js (the requests and headers the sample client sends).
 * - [QD] learn.microsoft.com "Query data using the Web API" (+ its pages "Select columns",
 *   "Filter rows", "Page results", "Count rows", "Aggregate data", "Use parameter aliases",
 *   "Query functions", "Formatted values").
 * - [COND] "Perform conditional operations using the Web API".
 * - [BATCH] "Execute batch operations using the Web API".
 * - [REL] "Retrieve related table records with a query" (single-valued, collection-valued,
 *   multi-level `$expand`, navigation-property paths).
 * - [CT] "Use change tracking to synchronize data with external systems".
 * - [FX] "Use FetchXml to query data" / "Page results using FetchXml" (paging cookie).
 * - [FN] "Use Web API functions" (WhoAmI, RetrieveVersion, RetrieveTotalRecordCount).
 *
 * Each `it` is one documented outcome; its title starts with its source tag.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, GUID_RE, idFromEntityId, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
let contosoId: string;
let yvonneId: string;

const CONTACTS: readonly (readonly [string, string, string, number])[] = [
  ["Susanna", "Stubberod (sample)", "Senior Purchaser", 52000],
  ["Nancy", "Anderson (sample)", "Activities Manager", 55500],
  ["Maria", "Cambell (sample)", "Accounts Manager", 31000],
  ["Scott", "Konersmann (sample)", "Accounts Manager", 38000],
  ["Robert", "Lyon (sample)", "Senior Technician", 78000],
  ["Paul", "Cannon (sample)", "Ski Instructor", 68500],
  ["Rene", "Valdes (sample)", "Data Analyst III", 86000],
  ["Jim", "Glynn (sample)", "Senior International Sales Manager", 81400],
];
const threeTasks = (who: string, minutes: number) =>
  [1, 2, 3].map((n) => ({
    subject: `Task ${n} for ${who}`,
    description: `Task ${n} for ${who} description`,
    actualdurationminutes: minutes,
  }));

/** The QueryDataSample set-up: one deep insert. */
async function createContoso(): Promise<void> {
  const res = await api.post("accounts", {
    name: "Contoso, Ltd. (sample)",
    Account_Tasks: threeTasks("Contoso, Ltd.", 10),
    primarycontactid: {
      firstname: "Yvonne",
      lastname: "McKay (sample)",
      jobtitle: "Coffee Master",
      annualincome: 45000,
      Contact_Tasks: threeTasks("Yvonne McKay", 5),
    },
    contact_customer_accounts: CONTACTS.map(([firstname, lastname, jobtitle, annualincome]) => ({
      firstname,
      lastname,
      jobtitle,
      annualincome,
      Contact_Tasks: threeTasks(`${firstname} ${lastname.replace(" (sample)", "")}`, 5),
    })),
  });
  expect(res.status).toBe(204);
  contosoId = idFromEntityId(res.headers.get("odata-entityid"));
  const acc = await api.get(`accounts(${contosoId})?$select=_primarycontactid_value`);
  yvonneId = acc.json._primarycontactid_value as string;
}

beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  await createContoso();
});
afterAll(() => emu.close());

const names = (value: Record<string, unknown>[] | undefined) => (value ?? []).map((r) => r.fullname);

describe("Query data [QDS][QD]", () => {
  it("[QDS] $filter with contains, a number comparison and a lookup value", async () => {
    const r = await api.get(
      `contacts?$select=fullname,jobtitle,annualincome&$filter=contains(fullname,'(sample)') and annualincome gt 50000 and _parentcustomerid_value eq ${contosoId}`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(6);
  });

  it("[QDS] parentheses around an `or` group", async () => {
    const r = await api.get(
      `contacts?$select=fullname&$filter=contains(fullname,'(sample)') and (contains(jobtitle, 'senior') or contains(jobtitle, 'manager')) and annualincome gt 50000 and _parentcustomerid_value eq ${contosoId}`,
    );
    expect(names(r.json.value).sort()).toEqual([
      "Jim Glynn (sample)",
      "Nancy Anderson (sample)",
      "Robert Lyon (sample)",
      "Susanna Stubberod (sample)",
    ]);
  });

  it("[QDS] $orderby on two columns", async () => {
    const r = await api.get(
      `contacts?$select=fullname,jobtitle,annualincome&$filter=_parentcustomerid_value eq ${contosoId}&$orderby=annualincome desc,jobtitle asc`,
    );
    expect(r.json.value?.map((c) => c.annualincome)).toEqual([
      86000, 81400, 78000, 68500, 55500, 52000, 38000, 31000,
    ]);
  });

  it("[QDS][QD] parameter aliases for properties, values and orderby", async () => {
    const q = [
      "$select=fullname,jobtitle,annualincome",
      "$filter=contains(@p1,'(sample)') and @p2 eq @p3",
      "$orderby=@p4 asc,@p5 desc",
      "@p1=fullname",
      "@p2=_parentcustomerid_value",
      `@p3=${contosoId}`,
      "@p4=jobtitle",
      "@p5=annualincome",
    ].join("&");
    const r = await api.get(`contacts?${q}`);
    expect(r.status).toBe(200);
    expect(r.json.value?.slice(0, 3).map((c) => [c.jobtitle, c.annualincome])).toEqual([
      ["Accounts Manager", 38000],
      ["Accounts Manager", 31000],
      ["Activities Manager", 55500],
    ]);
  });

  it("[QD] a parameter alias for a string literal: $filter=name eq @p1&@p1='…'", async () => {
    const r = await api.get(`accounts?$select=name&$filter=name eq @p1&@p1='Contoso, Ltd. (sample)'`);
    expect(r.json.value?.map((a) => a.name)).toEqual(["Contoso, Ltd. (sample)"]);
  });

  it("[QD] an alias without a value is a 400", async () => {
    const r = await api.get(`accounts?$filter=name eq @missing`);
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe("0x0");
  });

  it("[QDS][QD] query function LastXHours with aliased parameters", async () => {
    const r = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.LastXHours(PropertyName=@p1,PropertyValue=@p2) and _parentcustomerid_value eq ${contosoId}&@p1='createdon'&@p2='1'`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(8);
  });

  it("[QD] query functions Today, Between, In, NotIn, OlderThanXDays", async () => {
    const today = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.Today(PropertyName='createdon')`,
    );
    expect(today.json.value).toHaveLength(9);
    const between = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.Between(PropertyName='annualincome',PropertyValues=["50000","70000"])`,
    );
    expect(names(between.json.value).sort()).toEqual([
      "Nancy Anderson (sample)",
      "Paul Cannon (sample)",
      "Susanna Stubberod (sample)",
    ]);
    const inList = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.In(PropertyName='jobtitle',PropertyValues=["Accounts Manager","Coffee Master"])`,
    );
    expect(inList.json.value).toHaveLength(3);
    const notIn = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.NotIn(PropertyName='jobtitle',PropertyValues=["Accounts Manager","Coffee Master"])`,
    );
    expect(notIn.json.value).toHaveLength(6);
    const old = await api.get(
      `contacts?$select=fullname&$filter=Microsoft.Dynamics.CRM.OlderThanXDays(PropertyName='createdon',PropertyValue=1)`,
    );
    expect(old.json.value).toHaveLength(0);
  });

  it("[QD] a query function on a non-date column is a 400, not a 500", async () => {
    const r = await api.get(`contacts?$filter=Microsoft.Dynamics.CRM.Today(PropertyName='fullname')`);
    expect(r.status).toBe(400);
  });

  it("[QDS] $top limits the rows", async () => {
    const r = await api.get(
      `contacts?$select=fullname&$filter=_parentcustomerid_value eq ${contosoId}&$top=5`,
    );
    expect(r.json.value).toHaveLength(5);
    expect(r.json["@odata.nextLink"]).toBeUndefined();
  });

  it("[QDS][API] GET <set>(id)/<collection nav>/$count answers the number of related rows", async () => {
    const r = await api.get(`accounts(${contosoId})/contact_customer_accounts/$count`);
    expect(r.status).toBe(200);
    expect(r.text).toBe("8");
  });

  it("[QDS] $count=true adds @odata.count", async () => {
    const r = await api.get(
      `contacts?$select=fullname&$filter=contains(jobtitle,'senior') or contains(jobtitle,'manager')&$count=true`,
    );
    expect(r.json["@odata.count"]).toBe(6);
  });

  it("[QDS][API] paging with Prefer: odata.maxpagesize=4 and the nextLink", async () => {
    const prefer = { Prefer: 'odata.maxpagesize=4,odata.include-annotations="*"' };
    const q = `contacts?$select=fullname&$filter=_parentcustomerid_value eq ${contosoId}`;
    const p1 = await api.get(q, prefer);
    expect(p1.json.value).toHaveLength(4);
    expect(p1.headers.get("preference-applied")).toContain("odata.maxpagesize=4");
    const p2 = await api.get(p1.json["@odata.nextLink"] as string, prefer);
    expect(p2.json.value).toHaveLength(4);
    expect(p2.json["@odata.nextLink"]).toBeUndefined();
  });

  it("[QD] Prefer with `;` between preferences keeps the page size and the annotations", async () => {
    const r = await api.get(`contacts?$select=fullname,_parentcustomerid_value`, {
      Prefer: 'odata.maxpagesize=4; odata.include-annotations="*"',
    });
    expect(r.json.value).toHaveLength(4);
    expect(r.json["@odata.nextLink"]).toEqual(expect.any(String));
    const withParent = r.json.value?.find((c) => c._parentcustomerid_value !== null);
    expect(withParent?.["_parentcustomerid_value@OData.Community.Display.V1.FormattedValue"]).toBe(
      "Contoso, Ltd. (sample)",
    );
  });

  it("[QD] formatted values: option set label, money with currency symbol, date, boolean", async () => {
    const created = await api.post(
      "accounts?$select=name,revenue,statecode,creditonhold,createdon,accountcategorycode,numberofemployees",
      {
        name: "Formatted (sample)",
        revenue: 1234567.5,
        creditonhold: false,
        accountcategorycode: 1,
        numberofemployees: 1500,
      },
      {
        Prefer: 'return=representation,odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
      },
    );
    expect(created.status).toBe(201);
    const r = await api.get(
      `accounts(${created.json.accountid})?$select=name,revenue,statecode,creditonhold,createdon,accountcategorycode,numberofemployees`,
      { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    );
    const f = (k: string) => r.json[`${k}@OData.Community.Display.V1.FormattedValue`];
    expect(f("revenue")).toBe("$1,234,567.50");
    expect(f("statecode")).toBe("Active");
    expect(f("accountcategorycode")).toBe("Preferred Customer");
    expect(f("creditonhold")).toBe("No");
    expect(f("numberofemployees")).toBe("1,500");
    expect(f("createdon")).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
    expect(f("name")).toBeUndefined();
    await api.delete(`accounts(${created.json.accountid})`);
  });

  it("[QDS][QD] $apply=aggregate on a collection-valued navigation property", async () => {
    const r = await api.get(
      `accounts(${contosoId})/contact_customer_accounts?$apply=aggregate(annualincome with average as average,annualincome with sum as total,annualincome with min as minimum,annualincome with max as maximum)`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toEqual([{ average: 61300, total: 490400, minimum: 31000, maximum: 86000 }]);
  });

  it("[QD] $apply=groupby((statuscode),aggregate($count as count)) with formatted values", async () => {
    const r = await api.get(`contacts?$apply=groupby((statuscode),aggregate($count as count))`, {
      Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
    });
    expect(r.json["@odata.context"]).toBe(`${emu.url}/$metadata#contacts`);
    expect(r.json.value).toEqual([
      {
        "statuscode@OData.Community.Display.V1.FormattedValue": "Active",
        statuscode: 1,
        "count@OData.Community.Display.V1.FormattedValue": "9",
        count: 9,
      },
    ]);
  });

  it("[QD] $apply=groupby((jobtitle)) lists distinct values", async () => {
    const r = await api.get(
      `contacts?$apply=filter(_parentcustomerid_value eq ${contosoId})/groupby((jobtitle),aggregate($count as n))`,
    );
    expect(r.json.value?.find((g) => g.jobtitle === "Accounts Manager")).toEqual({
      jobtitle: "Accounts Manager",
      n: 2,
    });
    expect(r.json.value).toHaveLength(7);
  });
});

describe("Related rows [REL][QDS]", () => {
  it("[REL] single-valued $expand with nested $select", async () => {
    const r = await api.get(
      `accounts(${contosoId})?$select=name&$expand=primarycontactid($select=fullname,jobtitle,annualincome)`,
    );
    expect((r.json.primarycontactid as Record<string, unknown>).fullname).toBe("Yvonne McKay (sample)");
  });

  it("[REL] collection-valued $expand from the contact side (account_primary_contact)", async () => {
    const r = await api.get(
      `contacts(${yvonneId})?$select=fullname&$expand=account_primary_contact($select=name)`,
    );
    expect((r.json.account_primary_contact as Record<string, unknown>[]).map((a) => a.name)).toEqual([
      "Contoso, Ltd. (sample)",
    ]);
  });

  it("[REL] three expands at once: primary contact, contacts, tasks", async () => {
    const r = await api.get(
      `accounts(${contosoId})?$select=name&$expand=primarycontactid($select=fullname),contact_customer_accounts($select=fullname),Account_Tasks($select=subject)`,
    );
    expect((r.json.contact_customer_accounts as unknown[]).length).toBe(8);
    expect((r.json.Account_Tasks as unknown[]).length).toBe(3);
  });

  it("[REL] GET <set>(id)/<collection-valued navigation property> lists the related rows", async () => {
    const r = await api.get(
      `accounts(${contosoId})/contact_customer_accounts?$select=fullname&$orderby=fullname`,
    );
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(`${emu.url}/$metadata#contacts(fullname)`);
    expect(names(r.json.value)).toHaveLength(8);
    expect(names(r.json.value)[0]).toBe("Jim Glynn (sample)");
  });

  it("[REL] GET <set>(id)/<single-valued navigation property> returns the related row", async () => {
    const r = await api.get(`accounts(${contosoId})/primarycontactid?$select=fullname`);
    expect(r.status).toBe(200);
    expect(r.json.fullname).toBe("Yvonne McKay (sample)");
  });

  it("[QDS][REL] multi-level $expand and $filter through a single-valued navigation path", async () => {
    const q =
      "$select=subject" +
      "&$expand=regardingobjectid_contact_task($select=fullname;$expand=parentcustomerid_account($select=name;$expand=createdby($select=fullname)))" +
      `&$filter=regardingobjectid_contact_task/_accountid_value eq ${contosoId}`;
    const r = await api.get(`tasks?${q}`);
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(24);
    const first = r.json.value![0]!.regardingobjectid_contact_task as Record<string, unknown>;
    expect((first.parentcustomerid_account as Record<string, unknown>).name).toBe("Contoso, Ltd. (sample)");
    expect(r.json["@odata.context"]).toBe(
      `${emu.url}/$metadata#tasks(subject,regardingobjectid_contact_task(fullname,parentcustomerid_account(name,createdby(fullname))))`,
    );
  });

  it("[REL] $filter=regardingobjectid_contact_task/fullname eq '…'", async () => {
    const r = await api.get(
      `tasks?$select=subject&$filter=regardingobjectid_contact_task/fullname eq 'Yvonne McKay (sample)'&$orderby=subject`,
    );
    expect(r.json.value?.map((t) => t.subject)).toEqual([
      "Task 1 for Yvonne McKay",
      "Task 2 for Yvonne McKay",
      "Task 3 for Yvonne McKay",
    ]);
  });

  it("[REL] a path through a collection-valued navigation property is a 400", async () => {
    const r = await api.get(`accounts?$filter=contact_customer_accounts/fullname eq 'x'`);
    expect(r.status).toBe(400);
  });
});

describe("Conditional operations [COND][COS]", () => {
  it("[COND] a single-row GET carries the ETag header equal to @odata.etag", async () => {
    const r = await api.get(`accounts(${contosoId})?$select=name`);
    expect(r.headers.get("etag")).toBe(r.json["@odata.etag"]);
  });

  it("[COND][COS] If-None-Match with the current ETag → 304; after a change → 200", async () => {
    const created = await api.post("accounts", {
      name: "Contoso Ltd",
      revenue: 5000000,
      telephone1: "555-0000",
    });
    const id = idFromEntityId(created.headers.get("odata-entityid"));
    const first = await api.get(`accounts(${id})?$select=name,revenue,telephone1,description`);
    const etag = first.json["@odata.etag"] as string;
    expect((await api.get(`accounts(${id})?$select=name`, { "If-None-Match": etag })).status).toBe(304);
    await api.put(`accounts(${id})/telephone1`, { value: "555-0001" });
    const changed = await api.get(`accounts(${id})?$select=telephone1`, { "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.json.telephone1).toBe("555-0001");

    // [COND] optimistic concurrency: delete and update with a stale ETag → 412.
    const del = await api.delete(`accounts(${id})`, { "If-Match": etag });
    expect(del.status).toBe(412);
    expect(del.json.error?.code).toBe("0x80060882");
    const upd = await api.patch(`accounts(${id})`, { telephone1: "555-0003" }, { "If-Match": etag });
    expect(upd.status).toBe(412);
    // With the current ETag the update succeeds.
    const current = await api.get(`accounts(${id})?$select=telephone1`);
    expect(
      (
        await api.patch(
          `accounts(${id})`,
          { telephone1: "555-0003" },
          { "If-Match": current.headers.get("etag")! },
        )
      ).status,
    ).toBe(204);
  });

  it("[COND] If-None-Match: * on an existing row prevents the update (412), If-Match: * on a missing one the create (404)", async () => {
    const missing = "00000000-0000-0000-0000-0000000000a1";
    const noCreate = await api.patch(`accounts(${missing})`, { name: "x" }, { "If-Match": "*" });
    expect(noCreate.status).toBe(404);
    const noUpdate = await api.patch(`accounts(${contosoId})`, { name: "x" }, { "If-None-Match": "*" });
    expect(noUpdate.status).toBe(412);
  });
});

describe("Batch [BATCH][BS]", () => {
  async function batch(parts: string[], prefer?: string) {
    const body = `${parts.map((p) => `--batch_C\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${p}\r\n`).join("")}--batch_C--\r\n`;
    const res = await fetch(`${emu.url}/$batch`, {
      method: "POST",
      headers: {
        "Content-Type": "multipart/mixed; boundary=batch_C",
        "OData-Version": "4.0",
        ...(prefer ? { Prefer: prefer } : {}),
      },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  it("[BS][FN] WhoAmI inside $batch", async () => {
    const r = await batch([`GET ${emu.url}/WhoAmI HTTP/1.1\r\nAccept: application/json\r\n`]);
    expect(r.status).toBe(200);
    expect(r.text).toContain('"UserId":"');
    expect(r.text).toContain("HTTP/1.1 200 OK");
  });

  it("[BATCH][REL] GET of a collection-valued navigation property and its $count inside $batch", async () => {
    const r = await batch([
      `GET accounts(${contosoId})/contact_customer_accounts?$select=fullname HTTP/1.1\r\nAccept: application/json\r\n`,
      `GET accounts(${contosoId})/contact_customer_accounts/$count HTTP/1.1\r\n`,
    ]);
    expect(r.status).toBe(200);
    expect(r.text.match(/HTTP\/1.1 200 OK/g)).toHaveLength(2);
    expect(r.text).toContain("Susanna Stubberod (sample)");
    expect(r.text).toMatch(/\r\n\r\n8\r\n/);
  });
});

describe("Functions [FN][BOS]", () => {
  it("[FN][BOS] GET WhoAmI → UserId, BusinessUnitId, OrganizationId; the user row exists", async () => {
    const r = await api.get("WhoAmI");
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(`${emu.url}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`);
    for (const k of ["UserId", "BusinessUnitId", "OrganizationId"]) expect(r.json[k]).toMatch(GUID_RE);
    const user = await api.get(`systemusers(${r.json.UserId})?$select=fullname,_businessunitid_value`);
    expect(user.status).toBe(200);
    expect(user.json._businessunitid_value).toBe(r.json.BusinessUnitId);
    expect((await api.get("WhoAmI()")).json.UserId).toBe(r.json.UserId);
  });

  it("[FN] RetrieveVersion and RetrieveTotalRecordCount", async () => {
    const v = await api.get("RetrieveVersion()");
    expect(v.json.Version).toMatch(/^9\.2\./);
    const c = await api.get(`RetrieveTotalRecordCount(EntityNames=@p1)?@p1=['account','contact']`);
    expect(c.status).toBe(200);
    const coll = c.json.EntityRecordCountCollection as { Keys: string[]; Values: number[] };
    expect(coll.Keys).toEqual(["account", "contact"]);
    expect(coll.Values[1]).toBe(9);
  });

  it("[FN] a function called with POST is a 405", async () => {
    expect((await api.post("WhoAmI", {})).status).toBe(405);
  });

  it("[QD] EqualUserId matches the WhoAmI user", async () => {
    const who = await api.get("WhoAmI");
    const r = await api.get(
      `systemusers?$select=fullname&$filter=Microsoft.Dynamics.CRM.EqualUserId(PropertyName='systemuserid')`,
    );
    expect(who.status).toBe(200);
    expect(r.json.value?.map((u) => u.fullname)).toEqual(["Emulator User"]);
  });
});

describe("FetchXML [FX][QDS][API]", () => {
  /** As the sample client sends it: encodeURIComponent with %20 turned into +, all annotations. */
  const fetchXml = (set: string, xml: string) =>
    api.get(`${set}?fetchXml=${encodeURIComponent(xml).replace(/%20/g, "+")}`, {
      Prefer: 'odata.include-annotations="*"',
    });
  const contactsXml = (paging: string) => `<fetch ${paging}>
      <entity name='contact'>
        <attribute name='fullname' />
        <attribute name='jobtitle' />
        <attribute name='annualincome' />
        <order descending='true' attribute='fullname' />
        <filter type='and'>
          <condition value='%(sample)%' attribute='fullname' operator='like' />
          <condition value='${contosoId}' attribute='parentcustomerid' operator='eq' />
        </filter>
      </entity>
    </fetch>`;

  it("[QDS][FX] like + eq on a lookup, ordered descending, formatted money", async () => {
    const r = await fetchXml("contacts", contactsXml(""));
    expect(r.status).toBe(200);
    expect(names(r.json.value)).toEqual([
      "Susanna Stubberod (sample)",
      "Scott Konersmann (sample)",
      "Robert Lyon (sample)",
      "Rene Valdes (sample)",
      "Paul Cannon (sample)",
      "Nancy Anderson (sample)",
      "Maria Cambell (sample)",
      "Jim Glynn (sample)",
    ]);
    const first = r.json.value![0]!;
    expect(first.annualincome).toBe(52000);
    expect(first["annualincome@OData.Community.Display.V1.FormattedValue"]).toBe("$52,000.00");
    expect(first.contactid).toMatch(GUID_RE);
  });

  it("[QDS][FX] count/page paging: morerecords, the paging cookie, page 2", async () => {
    const p1 = await fetchXml("contacts", contactsXml("count='3' page='1'"));
    expect(names(p1.json.value)).toHaveLength(3);
    expect(p1.json["@Microsoft.Dynamics.CRM.morerecords"]).toBe(true);
    const cookie = p1.json["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"] as string;
    expect(cookie).toMatch(/^<cookie pagenumber="2" pagingcookie="[^"]+" istracking="False" \/>$/);
    const inner = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]+)"/.exec(cookie)![1]!));
    const lastId = (p1.json.value![2]!.contactid as string).toUpperCase();
    expect(inner).toContain(`<contactid last="{${lastId}}"`);

    // As the sample does: page='2' without the cookie.
    const p2 = await fetchXml("contacts", contactsXml("count='3' page='2'"));
    expect(names(p2.json.value)).toEqual([
      "Rene Valdes (sample)",
      "Paul Cannon (sample)",
      "Nancy Anderson (sample)",
    ]);
    // With the paging cookie (XML-escaped into the attribute), the same page.
    const escaped = inner
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
    const p2c = await fetchXml("contacts", contactsXml(`count='3' page='2' paging-cookie="${escaped}"`));
    expect(names(p2c.json.value)).toEqual(names(p2.json.value));
    const p3 = await fetchXml("contacts", contactsXml("count='3' page='3'"));
    expect(names(p3.json.value)).toHaveLength(2);
    expect(p3.json["@Microsoft.Dynamics.CRM.morerecords"]).toBe(false);
  });

  it("[FX] one-to-many link-entity with a filter and attributes on the linked table", async () => {
    const r = await fetchXml(
      "accounts",
      `<fetch>
        <entity name='account'>
          <attribute name='name' />
          <filter><condition attribute='accountid' operator='eq' value='${contosoId}' /></filter>
          <link-entity name='contact' from='parentcustomerid' to='accountid' alias='c' link-type='inner'>
            <attribute name='fullname' />
            <filter><condition attribute='annualincome' operator='ge' value='80000' /></filter>
            <order attribute='fullname' />
          </link-entity>
        </entity>
      </fetch>`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value?.map((v) => [v.name, v["c.fullname"]])).toEqual([
      ["Contoso, Ltd. (sample)", "Jim Glynn (sample)"],
      ["Contoso, Ltd. (sample)", "Rene Valdes (sample)"],
    ]);
  });

  it("[FX] many-to-one link-entity and an outer join with a null condition (no primary contact)", async () => {
    const r = await fetchXml(
      "accounts",
      `<fetch>
        <entity name='account'>
          <attribute name='name' />
          <link-entity name='contact' from='contactid' to='primarycontactid' alias='pc' link-type='outer'>
            <attribute name='fullname' />
          </link-entity>
          <filter><condition entityname='pc' attribute='contactid' operator='not-null' /></filter>
        </entity>
      </fetch>`,
    );
    expect(r.json.value?.map((v) => v["pc.fullname"])).toEqual(["Yvonne McKay (sample)"]);
  });

  it("[FX] aggregate: count and avg grouped by job title", async () => {
    const r = await fetchXml(
      "contacts",
      `<fetch aggregate='true'>
        <entity name='contact'>
          <attribute name='jobtitle' groupby='true' alias='title' />
          <attribute name='contactid' aggregate='count' alias='n' />
          <attribute name='annualincome' aggregate='avg' alias='avg' />
          <filter><condition attribute='parentcustomerid' operator='eq' value='${contosoId}' /></filter>
        </entity>
      </fetch>`,
    );
    expect(r.json.value?.find((g) => g.title === "Accounts Manager")).toEqual({
      title: "Accounts Manager",
      n: 2,
      avg: 34500,
    });
  });

  it("[FX] top, in, between and a date operator", async () => {
    const r = await fetchXml(
      "contacts",
      `<fetch top='2'>
        <entity name='contact'>
          <attribute name='fullname' />
          <order attribute='annualincome' />
          <filter>
            <condition attribute='jobtitle' operator='in'><value>Accounts Manager</value><value>Senior Technician</value></condition>
            <condition attribute='annualincome' operator='between'><value>30000</value><value>80000</value></condition>
            <condition attribute='createdon' operator='last-x-hours' value='1' />
          </filter>
        </entity>
      </fetch>`,
    );
    expect(names(r.json.value)).toEqual(["Maria Cambell (sample)", "Scott Konersmann (sample)"]);
  });

  it("[FX] malformed FetchXML, an unknown attribute and a table mismatch are 400s", async () => {
    const bad = await fetchXml("contacts", "<fetch><entity name='contact'>");
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe("0x80040203");
    const noAttr = await fetchXml(
      "contacts",
      "<fetch><entity name='contact'><attribute name='nope'/></entity></fetch>",
    );
    expect(noAttr.status).toBe(400);
    expect(noAttr.json.error?.code).toBe("0x80041103");
    const mismatch = await fetchXml("accounts", "<fetch><entity name='contact'/></fetch>");
    expect(mismatch.status).toBe(400);
  });
});

describe("Validation", () => {
  it("[BOS] a string longer than the column's MaxLength → 400 0x80044331, nothing written", async () => {
    const before = emu.count("account");
    const r = await api.post("accounts", { name: "x".repeat(161) });
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe("0x80044331");
    expect(emu.count("account")).toBe(before);
    const ok = await api.post("accounts", { name: "x".repeat(160) });
    expect(ok.status).toBe(204);
    const put = await api.put(`accounts(${idFromEntityId(ok.headers.get("odata-entityid"))})/name`, {
      value: "y".repeat(161),
    });
    expect(put.status).toBe(400);
    expect(put.json.error?.code).toBe("0x80044331");
  });
});

describe("Change tracking [CT]", () => {
  it("[CT] Preference-Applied: odata.track-changes and a delta link; then changes and deletions", async () => {
    const first = await api.get("accounts?$select=name", { Prefer: "odata.track-changes" });
    expect(first.headers.get("preference-applied")).toBe("odata.track-changes");
    const delta = first.json["@odata.deltaLink"] as string;
    expect(delta).toContain("$deltatoken=");
    const created = await api.post("accounts", { name: "Delta (sample)" });
    const id = idFromEntityId(created.headers.get("odata-entityid"));
    await api.delete(`accounts(${id})`);
    const next = await api.get(delta);
    expect(next.json["@odata.context"]).toBe(`${emu.url}/$metadata#accounts(name)/$delta`);
    expect(next.json.value).toContainEqual({
      "@odata.context": `${emu.url}/$metadata#accounts/$deletedEntity`,
      id,
      reason: "deleted",
    });
  });
});
