/// <reference types="xrm" />
// (iv) docs/testing.md's example in a Jest 30 project with the default CommonJS set-up
// (babel-jest, no ESM flags), against the packed @xrm-offline/testing.
import { createOfflineHarness, type OfflineHarness } from "@xrm-offline/testing";
import { createAccountFromForm } from "./account-form";

const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

function quickCreateForm(values: Record<string, unknown>) {
  const notifications: string[] = [];
  const formContext = {
    getAttribute: (name: string) => ({ getValue: () => values[name] ?? null }),
    ui: { setFormNotification: (message: string) => notifications.push(message) > 0 },
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
  harness.install();
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
  const local = await Xrm.WebApi.retrieveRecord("account", id, "?$select=name,_primarycontactid_value");
  expect(local._primarycontactid_value).toBe(CONTACT);
  expect(harness.server.row("account", id)).toBeUndefined();
  expect(await harness.pending()).toBe(1);

  harness.goOnline();
  expect(await harness.syncNow()).toMatchObject({ pushed: 1, failed: 0, pending: 0 });
  expect(harness.server.row("account", id)).toMatchObject({
    name: "Contoso Field Office",
    _primarycontactid_value: CONTACT,
  });
});
