/// <reference path="../xrm-offline.d.ts" />
/// <reference types="xrm" />
/**
 * Compile-time checks of xrm-offline.d.ts (type-checked by the root tsconfig, never run): a form
 * script uses the global the way docs/model-driven-apps.md shows.
 */
export async function typeChecks(executionContext: Xrm.Events.EventContext): Promise<void> {
  const api = XrmOffline.createWebApi({ offlineTables: ["account", "task"] });
  const asXrm: Xrm.WebApi = api;
  const created = await asXrm.createRecord("task", { subject: "Visit" });
  const pending: number = await api.sync.pendingCount();
  const host = XrmOffline.hostDefaults();
  const url: string | undefined = host?.serverUrl;
  executionContext.getFormContext().ui.setFormNotification(`${pending}`, "INFO", created.id);
  void [url, window.XrmOffline.bundledMetadata().entity("account")];
  // @ts-expect-error serverUrl is a string (or null), not a number
  XrmOffline.createWebApi({ serverUrl: 5 });
  // @ts-expect-error the global has no installXrmWebApi: don't replace the form's Xrm.WebApi
  XrmOffline.installXrmWebApi(api);
}
