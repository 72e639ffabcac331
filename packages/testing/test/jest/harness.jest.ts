/// <reference types="xrm" />
// The same harness under Jest (ESM mode and the default CommonJS mode): one import, no setup file,
// no custom environment.
import { afterEach, beforeEach, expect, test } from "@jest/globals";
import { createOfflineHarness, type OfflineHarness } from "@xrm-offline/testing";
import { createAccountFromForm } from "../examples/account-form.ts";

const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

function quickCreateForm(values: Record<string, unknown>) {
  const notifications: string[] = [];
  const formContext = {
    getAttribute: (name: string) => ({ getValue: () => values[name] ?? null }),
    ui: { setFormNotification: (message: string) => notifications.push(message) > 0 },
  };
  return {
    executionContext: { getFormContext: () => formContext } as unknown as Xrm.Events.EventContext,
    notifications,
  };
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

test("form script: account created offline with its primary contact reaches the server after sync", async () => {
  harness.goOffline();
  const { executionContext, notifications } = quickCreateForm({
    name: "Contoso under Jest",
    primarycontactid: [{ id: `{${CONTACT}}`, entityType: "contact", name: "Yvonne McKay" }],
  });
  const id = await createAccountFromForm(executionContext);
  expect(notifications).toEqual(["Account saved on this device. It will sync when you are back online."]);
  expect(harness.server.row("account", id)).toBeUndefined();
  harness.goOnline();
  expect(await harness.syncNow()).toMatchObject({ pushed: 1, failed: 0, pending: 0 });
  expect(harness.server.row("account", id)).toMatchObject({
    name: "Contoso under Jest",
    _primarycontactid_value: CONTACT,
  });
});

test("client state and a scenario helper work under Jest too", async () => {
  const client = Xrm.Utility.getGlobalContext().client;
  harness.goOffline();
  expect([client.getClientState(), client.isOffline(), client.isNetworkAvailable()]).toEqual([
    "Offline",
    true,
    false,
  ]);
  harness.goOnline();
  const outcome = await harness.scenarios.lookupTargetDeletedWhileOffline({
    target: { table: "contact", id: CONTACT },
    write: () =>
      Xrm.WebApi.createRecord("account", {
        name: "Orphan",
        "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
      }),
  });
  expect(outcome.failures.map((f) => [f.errorType, f.httpStatus])).toEqual([[1, 404]]);
});
