/// <reference types="powerapps-component-framework" />
// (ii) A PCF control's code, checked by a strict `tsc` against the packed packages: the
// adapter's result is a ComponentFramework.WebApi.
import { createPcfWebApi, type OfflinePcfWebApi } from "@xrm-offline/pcf";

export function offlineWebApi(context: ComponentFramework.Context<unknown>): ComponentFramework.WebApi {
  const api: OfflinePcfWebApi = createPcfWebApi(context, { offlineTables: ["account"] });
  const webAPI: ComponentFramework.WebApi = api;
  return webAPI;
}

export async function firstPage(webAPI: ComponentFramework.WebApi): Promise<string[]> {
  const page = await webAPI.retrieveMultipleRecords("account", "?$select=name", 10);
  // biome-ignore lint/complexity/useLiteralKeys: noPropertyAccessFromIndexSignature wants brackets here.
  return page.entities.map((e) => String(e["name"]));
}
