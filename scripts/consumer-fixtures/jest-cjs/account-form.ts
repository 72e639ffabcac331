/// <reference types="xrm" />
// The form script under test: on a quick-create form for accounts, "Create" saves the account
// with the primary contact picked in the lookup, and tells the user where the record went.

export async function createAccountFromForm(executionContext: Xrm.Events.EventContext): Promise<string> {
  const form = executionContext.getFormContext();
  const name = form.getAttribute<Xrm.Attributes.StringAttribute>("name")?.getValue();
  const contact = form.getAttribute<Xrm.Attributes.LookupAttribute>("primarycontactid")?.getValue()?.[0];

  const data: Record<string, unknown> = { name };
  if (contact) {
    // Form lookups hold "{GUID}"; @odata.bind wants the bare GUID.
    data["primarycontactid@odata.bind"] = `/contacts(${contact.id.replace(/[{}]/g, "")})`;
  }
  const { id } = await Xrm.WebApi.createRecord("account", data);

  // An offline-first client always says isOffline(); whether the server is reachable is
  // isNetworkAvailable().
  const online = Xrm.Utility.getGlobalContext().client.isNetworkAvailable();
  form.ui.setFormNotification(
    online ? "Account created." : "Account saved on this device. It will sync when you are back online.",
    "INFO",
    "account-create",
  );
  return id;
}
