// (ii) A strict consumer (see check.mjs for the options) assigns our API where Xrm.WebApi goes.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi, installXrmWebApi, type OfflineWebApi } from "@xrm-offline/webapi";

const api: OfflineWebApi = createWebApi({
  serverUrl: "https://contoso.crm.dynamics.com/api/data/v9.2",
  getAccessToken: async () => "token",
  metadata: bundledMetadata(),
  offlineTables: { account: {}, contact: { filter: "statecode eq 0" } },
});

const asXrm: Xrm.WebApi = api;
const offline: Xrm.WebApiOffline = api.offline;
const online: Xrm.WebApiOnline = api.online;
installXrmWebApi(api);

export async function useIt(): Promise<string | undefined> {
  const { id } = await asXrm.createRecord("account", { name: "Contoso" });
  const page = await offline.retrieveMultipleRecords("account", "?$select=name", 10);
  const first = page.entities[0];
  await online.retrieveRecord("account", id, "?$select=name");
  api.sync.status$.subscribe((s) => s.pending);
  // biome-ignore lint/complexity/useLiteralKeys: the consumer sets noPropertyAccessFromIndexSignature
  return first === undefined ? undefined : String(first["name"]);
}
