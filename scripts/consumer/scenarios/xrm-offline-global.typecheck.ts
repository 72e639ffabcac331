/// <reference path="../node_modules/@xrm-offline/web-resource/xrm-offline.d.ts" />
// (ii) A web resource written in TypeScript against the global that xrm-offline.min.js defines, as
// docs/model-driven-apps.md says to set it up: the packed package's xrm-offline.d.ts, no import.

export async function saveVisit(formContext: Xrm.FormContext): Promise<string> {
  const api = XrmOffline.createWebApi({ offlineTables: { account: {} } });
  const accountId = formContext.data.entity.getId().replace(/[{}]/g, "");
  const { id } = await api.createRecord("task", {
    subject: "Visit",
    "regardingobjectid_account_task@odata.bind": `/accounts(${accountId})`,
  });
  const webApi: Xrm.WebApi = api;
  await webApi.retrieveRecord("task", id, "?$select=subject");
  return id;
}

export function isOurError(e: unknown): boolean {
  return e instanceof window.XrmOffline.XrmError && e.errorCode === 0x80040203;
}
