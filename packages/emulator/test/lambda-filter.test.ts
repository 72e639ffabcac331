// The lambda operators any/all in $filter, with the examples of Microsoft's "Filter rows" page
// (Web API query docs, "Filter using values of related collections"): one-to-many, many-to-many,
// nested lambdas, any() without an argument, and the forms Dataverse refuses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;

async function create(set: string, body: Record<string, unknown>): Promise<string> {
  const res = await api.post(set, body);
  expect(res.status).toBe(204);
  const id = /\(([0-9a-f-]{36})\)$/.exec(res.headers.get("OData-EntityId") ?? "")?.[1];
  expect(id).toBeDefined();
  return id!;
}

async function names(query: string): Promise<string[]> {
  const res = await api.get(`accounts?$select=name&$orderby=name&$filter=${encodeURIComponent(query)}`);
  expect(res.status).toBe(200);
  return (res.json.value ?? []).map((r) => String(r.name));
}

beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  // Alpha: an open and a closed task, an email about "sometext", a contact with a jobtitle whose
  // opportunity says 'N/A'. Beta: only closed tasks, a contact 'jobtitle' with a real opportunity.
  // Gamma: nothing related.
  const alpha = await create("accounts", { name: "Alpha Inc." });
  const beta = await create("accounts", { name: "Beta Inc." });
  await create("accounts", { name: "Gamma Inc." });
  const task = (account: string, subject: string, statecode: number) =>
    create("tasks", {
      subject,
      statecode,
      "regardingobjectid_account_task@odata.bind": `/accounts(${account})`,
    });
  await task(alpha, "open", 0);
  await task(alpha, "done", 1);
  await task(beta, "done 1", 1);
  await task(beta, "done 2", 1);
  await create("emails", {
    subject: "About sometext",
    statecode: 0,
    "regardingobjectid_account_email@odata.bind": `/accounts(${alpha})`,
  });
  const alphaContact = await create("contacts", {
    lastname: "A",
    jobtitle: "jobtitle",
    "parentcustomerid_account@odata.bind": `/accounts(${alpha})`,
  });
  const betaContact = await create("contacts", {
    lastname: "B",
    jobtitle: "jobtitle",
    "parentcustomerid_account@odata.bind": `/accounts(${beta})`,
  });
  await create("opportunities", {
    name: "alpha deal",
    description: "N/A",
    "customerid_contact@odata.bind": `/contacts(${alphaContact})`,
  });
  await create("opportunities", {
    name: "beta deal",
    description: "Renewal",
    "customerid_contact@odata.bind": `/contacts(${betaContact})`,
  });
});
afterAll(() => emu.close());

describe("any / all over a one-to-many collection", () => {
  it("any(e: contains(e/subject, …)) finds the account with such an email", async () => {
    expect(await names("Account_Emails/any(e:contains(e/subject,'sometext'))")).toEqual(["Alpha Inc."]);
    expect(await names("Account_Emails/any(e:contains(e/subject,'sometext') and e/statecode eq 0)")).toEqual([
      "Alpha Inc.",
    ]);
    expect(await names("Account_Emails/any(e:contains(e/subject,'sometext') and e/statecode eq 1)")).toEqual(
      [],
    );
  });

  it("all(t: t/statecode eq 1) holds when every task is closed, and for no tasks at all", async () => {
    expect(await names("Account_Tasks/all(t:t/statecode eq 1)")).toEqual(["Beta Inc.", "Gamma Inc."]);
    expect(
      await names("Account_Tasks/any(t:t/statecode eq 1) and Account_Tasks/all(t:t/statecode eq 1)"),
    ).toEqual(["Beta Inc."]);
    expect(await names("not Account_Tasks/all(t:t/statecode eq 1)")).toEqual(["Alpha Inc."]);
  });

  it("a navigation path inside the body starts from the related row", async () => {
    expect(await names("Account_Tasks/any(t:t/regardingobjectid_account_task/name eq 'Beta Inc.')")).toEqual([
      "Beta Inc.",
    ]);
  });

  it("any() without an argument: the collection is not empty", async () => {
    expect(await names("Account_Tasks/any()")).toEqual(["Alpha Inc.", "Beta Inc."]);
    expect(await names("not contact_customer_accounts/any()")).toEqual(["Gamma Inc."]);
  });

  it("nested any inside any, combined with a condition on the row (the docs' example)", async () => {
    const docs =
      "(contact_customer_accounts/any(c:c/jobtitle eq 'jobtitle' and c/opportunity_customer_contacts/any(o:o/description ne 'N/A'))) and endswith(name,'Inc.')";
    expect(await names(docs)).toEqual(["Beta Inc."]);
  });

  it("works through $batch, on a related collection, and with $count", async () => {
    const res = await api.get(
      `accounts?$select=name&$count=true&$filter=${encodeURIComponent("Account_Tasks/any(t:t/statecode eq 0)")}`,
    );
    expect(res.json["@odata.count"]).toBe(1);
    expect(res.json.value?.map((r) => r.name)).toEqual(["Alpha Inc."]);
  });
});

describe("what Dataverse refuses", () => {
  const refused = async (filter: string) => {
    const res = await api.get(`accounts?$select=name&$filter=${encodeURIComponent(filter)}`);
    return { status: res.status, code: res.json.error?.code };
  };

  it("a collection reached through a lookup, a lookup used as a collection, an unknown collection", async () => {
    expect(await refused("primarycontactid/contact_customer_accounts/any(a:a/name eq 'x')")).toEqual({
      status: 400,
      code: "0x0",
    });
    expect(await refused("primarycontactid/any(a:a/fullname eq 'x')")).toEqual({ status: 400, code: "0x0" });
    expect((await refused("nosuchcollection/any(a:a/name eq 'x')")).status).toBe(400);
  });

  it("a body property without the lambda variable, all() without an argument, a missing ':'", async () => {
    expect(await refused("Account_Tasks/any(t:subject eq 'x')")).toEqual({ status: 400, code: "0x0" });
    expect(await refused("Account_Tasks/all()")).toEqual({ status: 400, code: "0x0" });
    expect(await refused("Account_Tasks/any(t t/subject eq 'x')")).toEqual({ status: 400, code: "0x0" });
    expect(await refused("Account_Tasks/any(t:t/nosuchcolumn eq 'x')")).toMatchObject({ status: 400 });
  });
});
