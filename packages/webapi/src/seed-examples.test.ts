/**
 * Every example of the createRecord and updateRecord reference pages (shared/seeds), run verbatim
 * as a form script would run it: `Xrm.WebApi` is the object createWebApi returns, installed with
 * installXrmWebApi; each example logs once (success or error) and we then check the local record
 * and the queued entry exactly, with the Web API request it is sent as (rendered from the stored
 * operation, as the sync's remote port renders it).
 */

import { seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { renderRequest } from "@xrm-offline/odata";
import type { OutboxRow } from "@xrm-offline/store";
import { describe, expect, it } from "vitest";
import { installXrmWebApi } from "./install-xrm-web-api.ts";
import { testApi } from "./testing/test-api.ts";
import type { OfflineWebApi } from "./web-api-types.ts";

const ID1 = "00000000-0000-4000-8000-000000000001";
const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const OTHER = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";
const ANNOTATIONS = {
  logicalName: "@Microsoft.Dynamics.CRM.lookuplogicalname",
  navigation: "@Microsoft.Dynamics.CRM.associatednavigationproperty",
  formatted: "@OData.Community.Display.V1.FormattedValue",
};

/** Runs an example's code with `Xrm` and `console` bound; resolves with what it logged first. */
function runExample(api: OfflineWebApi, code: string): Promise<string> {
  const sandbox: { Xrm?: { WebApi: Xrm.WebApi } } = {};
  installXrmWebApi(api, sandbox);
  return new Promise<string>((resolve) => {
    const console = { log: (line: unknown) => resolve(String(line)) };
    new Function("Xrm", "console", code)(sandbox.Xrm, console);
  });
}

// ── createRecord.md ──────────────────────────────────────────────────────────────────────────

const CREATE_BASIC = `
// define the data to create new account
var data =
    {
        "name": "Sample Account",
        "creditonhold": false,
        "address1_latitude": 47.639583,
        "description": "This is the description of the sample account",
        "revenue": 5000000,
        "accountcategorycode": 1
    }

// create account record
Xrm.WebApi.createRecord("account", data).then(
    function success(result) {
        console.log("Account created with ID: " + result.id);
        // perform operations on record creation
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const CREATE_DEEP_INSERT = `
// define data to create primary and related table records
var data =
    {
        "name": "Sample Account",
        "primarycontactid":
        {
            "firstname": "John",
            "lastname": "Smith"
        },
        "opportunity_customer_accounts":
        [
            {
                "name": "Opportunity associated to Sample Account",
                "Opportunity_Tasks":
                [
                    { "subject": "Task associated to opportunity" }
                ]
            }
        ]
    }

// create account record
Xrm.WebApi.createRecord("account", data).then(
    function success(result) {
        console.log("Account created with ID: " + result.id);
        // perform operations on record creation
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const CREATE_BIND_ONLINE = `
var data =
    {
        "name": "Sample Account",
        "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)"
    }

// create account record
Xrm.WebApi.createRecord("account", data).then(
    function success(result) {
        console.log("Account created with ID: " + result.id);
        // perform operations on record creation
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const CREATE_LOOKUP_OFFLINE = `
var data =
    {
        "name": "Sample Account",
        "primarycontactid":
        {
            "logicalname": "contact",
            "id": "465b158c-541c-e511-80d3-3863bb347ba8"
        } 
    }

// create account record
Xrm.WebApi.offline.createRecord("account", data).then(
    function success(result) {
        console.log("Account created with ID: " + result.id);
        // perform operations on record creation
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

// ── updateRecord.md ──────────────────────────────────────────────────────────────────────────

const UPDATE_BASIC = `
// define the data to update a record
var data =
    {
        "name": "Updated Sample Account ",
        "creditonhold": true,
        "address1_latitude": 47.639583,
        "description": "This is the updated description of the sample account",
        "revenue": 6000000,
        "accountcategorycode": 2
    }
// update the record
Xrm.WebApi.updateRecord("account", "5531d753-95af-e711-a94e-000d3a11e605", data).then(
    function success(result) {
        console.log("Account updated");
        // perform operations on record update
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const UPDATE_BIND = `
// define the data to update a record
var data =
    {
        "primarycontactid@odata.bind": "/contacts(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)"
    }
// update the record
Xrm.WebApi.updateRecord("account", "5531d753-95af-e711-a94e-000d3a11e605", data).then(
    function success(result) {
        console.log("Account updated");
        // perform operations on record update
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const UPDATE_LOOKUP_OFFLINE = `
// define the data to update a record
var data =
    {
        "primarycontactid":
        {
            "logicalname": "contact",
            "id": "61a0e5b9-88df-e311-b8e5-6c3be5a8b200"
        }
    }
// update the record
Xrm.WebApi.offline.updateRecord("account", "5531d753-95af-e711-a94e-000d3a11e605", data).then(
    function success(result) {
        console.log("Account updated");
        // perform operations on record update
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const UPDATE_RELATED_OPPORTUNITY = `
// define the data to update a record
var data =
    {
        "new_relatedopportunities_task@odata.bind": "/opportunities(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)"
    }
// update the record
Xrm.WebApi.updateRecord("task", "5531d753-95af-e711-a94e-000d3a11e605", data).then(
    function success(result) {
        console.log("Task updated");
        // perform operations on record update
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const UPDATE_REGARDING = `
// define the data to update a record
var data =
    {
        "regardingobjectid_account_task@odata.bind": "/accounts(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)"
    }
// update the record
Xrm.WebApi.updateRecord("task", "5531d753-95af-e711-a94e-000d3a11e605", data).then(
    function success(result) {
        console.log("Task updated");
        // perform operations on record update
    },
    function (error) {
        console.log(error.message);
        // handle error conditions
    }
);
`;

const SERVER_ACCOUNT = {
  "@odata.etag": 'W/"1000"',
  accountid: ACCOUNT,
  name: "Sample Account",
  creditonhold: false,
  revenue: 5000000,
};
const SERVER_TASK = { "@odata.etag": 'W/"2000"', activityid: ACCOUNT, subject: "Call back" };

/** The record rows and outbox, with bookkeeping, of the database behind `t.api`. */
async function state(t: ReturnType<typeof testApi>) {
  const s = await t.snapshot();
  const store = await t.inspect();
  const outbox = (s.outbox as OutboxRow[]).map((e) => ({
    ...e,
    request: renderRequest(t.metadata, e.operation),
  }));
  return { ...s, outbox, store };
}

describe("createRecord.md examples", () => {
  it("Basic create", async () => {
    const t = testApi();
    expect(await runExample(t.api, CREATE_BASIC)).toBe(`Account created with ID: ${ID1}`);
    const { store, outbox } = await state(t);
    const fields = {
      name: "Sample Account",
      creditonhold: false,
      address1_latitude: 47.639583,
      description: "This is the description of the sample account",
      revenue: 5000000,
      accountcategorycode: 1,
    };
    expect(await store.getRecord("account", ID1)).toEqual({ accountid: ID1, ...fields });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      seq: 1,
      kind: "create",
      request: { method: "POST", url: "accounts", headers: {}, body: { accountid: ID1, ...fields } },
    });
  });

  it("Create related table records along with the primary record: rejected offline, nothing written", async () => {
    const t = testApi();
    const logged = await runExample(t.api, CREATE_DEEP_INSERT);
    expect(logged).toMatch(/^Deep insert is not available in offline mode/);
    await expect(
      t.api.createRecord(
        "account",
        JSON.parse(CREATE_DEEP_INSERT.split("var data =")[1]!.split("// create")[0]!),
      ),
    ).rejects.toMatchObject({
      errorCode: 0x80040203,
      message: logged,
    });
    const { records, outbox } = await state(t);
    expect(records).toEqual([]);
    expect(outbox).toEqual([]);
  });

  it("Associate tables on creating new records, online scenario (@odata.bind), routed to the offline store", async () => {
    const t = testApi();
    expect(await runExample(t.api, CREATE_BIND_ONLINE)).toBe(`Account created with ID: ${ID1}`);
    const { store, outbox } = await state(t);
    expect(await store.getRecord("account", ID1)).toEqual({
      accountid: ID1,
      name: "Sample Account",
      _primarycontactid_value: CONTACT,
      [`_primarycontactid_value${ANNOTATIONS.logicalName}`]: "contact",
      [`_primarycontactid_value${ANNOTATIONS.navigation}`]: "primarycontactid",
    });
    expect(outbox[0]).toMatchObject({
      request: {
        method: "POST",
        url: "accounts",
        headers: {},
        body: {
          accountid: ID1,
          name: "Sample Account",
          "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
        },
      },
      after: [],
    });
  });

  it("Associate tables on creating new records, mobile offline scenario (lookup object)", async () => {
    const t = testApi();
    await (await t.inspect()).applyServerRows("contact", [{ contactid: CONTACT, fullname: "Yvonne McKay" }]);
    expect(await runExample(t.api, CREATE_LOOKUP_OFFLINE)).toBe(`Account created with ID: ${ID1}`);
    const { store, outbox } = await state(t);
    expect(await store.getRecord("account", ID1)).toEqual({
      accountid: ID1,
      name: "Sample Account",
      _primarycontactid_value: CONTACT,
      [`_primarycontactid_value${ANNOTATIONS.logicalName}`]: "contact",
      [`_primarycontactid_value${ANNOTATIONS.navigation}`]: "primarycontactid",
      [`_primarycontactid_value${ANNOTATIONS.formatted}`]: "Yvonne McKay",
    });
    expect(outbox[0]).toMatchObject({
      request: {
        method: "POST",
        url: "accounts",
        headers: {},
        body: {
          accountid: ID1,
          name: "Sample Account",
          "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
        },
      },
    });
  });
});

describe("updateRecord.md examples", () => {
  async function withAccount() {
    const t = testApi();
    const s = await t.inspect();
    await s.applyServerRows("account", [SERVER_ACCOUNT]);
    await s.applyServerRows("contact", [{ contactid: OTHER, fullname: "Nancy Anderson" }]);
    return t;
  }

  const PATCH_ACCOUNT = { method: "PATCH", url: `accounts(${ACCOUNT})`, headers: { "If-Match": "*" } };

  it("Basic update", async () => {
    const t = await withAccount();
    expect(await runExample(t.api, UPDATE_BASIC)).toBe("Account updated");
    const fields = {
      name: "Updated Sample Account ",
      creditonhold: true,
      address1_latitude: 47.639583,
      description: "This is the updated description of the sample account",
      revenue: 6000000,
      accountcategorycode: 2,
    };
    const { store, outbox } = await state(t);
    expect(await store.getRecord("account", ACCOUNT)).toEqual({ ...SERVER_ACCOUNT, ...fields });
    expect(outbox).toEqual([
      expect.objectContaining({
        seq: 1,
        kind: "update",
        baseEtag: 'W/"1000"',
        request: { ...PATCH_ACCOUNT, body: fields },
      }),
    ]);
  });

  const lookupOther = {
    _primarycontactid_value: OTHER,
    [`_primarycontactid_value${ANNOTATIONS.logicalName}`]: "contact",
    [`_primarycontactid_value${ANNOTATIONS.navigation}`]: "primarycontactid",
    [`_primarycontactid_value${ANNOTATIONS.formatted}`]: "Nancy Anderson",
  };

  it("Update associations to the related tables (@odata.bind)", async () => {
    const t = await withAccount();
    expect(await runExample(t.api, UPDATE_BIND)).toBe("Account updated");
    const { store, outbox } = await state(t);
    expect(await store.getRecord("account", ACCOUNT)).toEqual({ ...SERVER_ACCOUNT, ...lookupOther });
    expect(outbox).toEqual([
      expect.objectContaining({
        request: { ...PATCH_ACCOUNT, body: { "primarycontactid@odata.bind": `/contacts(${OTHER})` } },
      }),
    ]);
  });

  it("Deprecated method for mobile offline scenario (lookup object)", async () => {
    const t = await withAccount();
    expect(await runExample(t.api, UPDATE_LOOKUP_OFFLINE)).toBe("Account updated");
    const { store, outbox } = await state(t);
    expect(await store.getRecord("account", ACCOUNT)).toEqual({ ...SERVER_ACCOUNT, ...lookupOther });
    expect(outbox).toEqual([
      expect.objectContaining({
        request: { ...PATCH_ACCOUNT, body: { "primarycontactid@odata.bind": `/contacts(${OTHER})` } },
      }),
    ]);
  });

  const PATCH_TASK = { method: "PATCH", url: `tasks(${ACCOUNT})`, headers: { "If-Match": "*" } };

  it("Update related opportunity column on task (custom activity lookup, metadata extended)", async () => {
    const base = testApi().metadata;
    const metadata = seedExampleMetadata(base);
    const t = testApi({ metadata });
    await (await t.inspect()).applyServerRows("task", [SERVER_TASK]);
    await (await t.inspect()).applyServerRows("opportunity", [{ opportunityid: OTHER, name: "Big deal" }]);
    expect(await runExample(t.api, UPDATE_RELATED_OPPORTUNITY)).toBe("Task updated");
    const { store, outbox } = await state(t);
    expect(await store.getRecord("task", ACCOUNT)).toEqual({
      ...SERVER_TASK,
      _new_relatedopportunities_value: OTHER,
      [`_new_relatedopportunities_value${ANNOTATIONS.logicalName}`]: "opportunity",
      [`_new_relatedopportunities_value${ANNOTATIONS.navigation}`]: "new_relatedopportunities_task",
      [`_new_relatedopportunities_value${ANNOTATIONS.formatted}`]: "Big deal",
    });
    expect(outbox).toEqual([
      expect.objectContaining({
        request: {
          ...PATCH_TASK,
          body: { "new_relatedopportunities_task@odata.bind": `/opportunities(${OTHER})` },
        },
      }),
    ]);
  });

  it("Update Regarding column on task (polymorphic activity lookup)", async () => {
    const t = testApi();
    await (await t.inspect()).applyServerRows("task", [SERVER_TASK]);
    expect(await runExample(t.api, UPDATE_REGARDING)).toBe("Task updated");
    const { store, outbox } = await state(t);
    expect(await store.getRecord("task", ACCOUNT)).toEqual({
      ...SERVER_TASK,
      _regardingobjectid_value: OTHER,
      [`_regardingobjectid_value${ANNOTATIONS.logicalName}`]: "account",
      [`_regardingobjectid_value${ANNOTATIONS.navigation}`]: "regardingobjectid_account_task",
    });
    expect(outbox).toEqual([
      expect.objectContaining({
        request: {
          ...PATCH_TASK,
          body: { "regardingobjectid_account_task@odata.bind": `/accounts(${OTHER})` },
        },
      }),
    ]);
  });

  it("the update examples fail cleanly when the record is not in the offline store", async () => {
    const t = testApi();
    const logged = await runExample(t.api, UPDATE_BASIC);
    expect(logged).toBe(`Entity 'account' With Id = ${ACCOUNT} Does Not Exist in the offline store.`);
    const { records, outbox } = await state(t);
    expect([records, outbox]).toEqual([[], []]);
  });
});
