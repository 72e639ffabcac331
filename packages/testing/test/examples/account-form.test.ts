/// <reference types="xrm" />
import { createOfflineHarness, type OfflineHarness } from "@xrm-offline/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createAccountFromForm } from "./account-form.ts";

const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

// Just enough of a form for this script: the harness provides Xrm.WebApi, not forms.
function quickCreateForm(values: Record<string, unknown>) {
  const notifications: string[] = [];
  const formContext = {
    getAttribute: (name: string) => ({ getValue: () => values[name] ?? null }),
    ui: {
      setFormNotification: (message: string) => {
        notifications.push(message);
        return true;
      },
    },
  };
  const executionContext = { getFormContext: () => formContext } as unknown as Xrm.Events.EventContext;
  return { executionContext, notifications };
}

let harness: OfflineHarness;

beforeEach(async () => {
  harness = await createOfflineHarness({
    seed: { contact: [{ contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" }] },
    offlineTables: ["account", "contact"],
  });
  harness.install(); // globalThis.Xrm is the harness's Xrm until dispose()
});

afterEach(() => harness.dispose());

it("creates the account offline with its primary contact; after sync the server has both", async () => {
  harness.goOffline();
  const { executionContext, notifications } = quickCreateForm({
    name: "Contoso Field Office",
    primarycontactid: [{ id: `{${CONTACT.toUpperCase()}}`, entityType: "contact", name: "Yvonne McKay" }],
  });

  const id = await createAccountFromForm(executionContext);

  expect(notifications).toEqual(["Account saved on this device. It will sync when you are back online."]);
  // On the device: the lookup is resolved locally, the way the Web API returns it.
  const local = await Xrm.WebApi.retrieveRecord("account", id, "?$select=name,_primarycontactid_value");
  expect(local._primarycontactid_value).toBe(CONTACT);
  expect(local["_primarycontactid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Yvonne McKay");
  // Not on the server yet.
  expect(harness.server.row("account", id)).toBeUndefined();
  expect(await harness.pending()).toBe(1);

  harness.goOnline();
  const report = await harness.syncNow();

  expect(report).toMatchObject({ pushed: 1, failed: 0, pending: 0 });
  expect(harness.server.row("account", id)).toMatchObject({
    name: "Contoso Field Office",
    _primarycontactid_value: CONTACT,
    "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
  });
  expect(await harness.failures()).toEqual([]);
});

it("online, the same script says so and the account is on the server after the sync", async () => {
  const { executionContext, notifications } = quickCreateForm({ name: "Contoso HQ", primarycontactid: null });

  const id = await createAccountFromForm(executionContext);
  await harness.syncNow();

  expect(notifications).toEqual(["Account created."]);
  expect(harness.server.row("account", id)).toMatchObject({ name: "Contoso HQ" });
  expect(harness.server.row("account", id)?._primarycontactid_value ?? null).toBeNull();
});
