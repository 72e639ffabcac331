/// <reference types="powerapps-component-framework" />
// (ii-PCF) A consumer's control code, checked by a strict `tsc` against the packed packages: the
// adapter's result is a ComponentFramework.WebApi.
import { createPcfWebApi, type OfflinePcfWebApi } from "@xrm-offline/pcf";

export function offlineWebApi(context: ComponentFramework.Context<unknown>): ComponentFramework.WebApi {
  const api: OfflinePcfWebApi = createPcfWebApi(context, { offlineTables: ["account"] });
  const webAPI: ComponentFramework.WebApi = api;
  return webAPI;
}

export async function firstPage(webAPI: ComponentFramework.WebApi): Promise<string[]> {
  const page = await webAPI.retrieveMultipleRecords("account", "?$select=name", 10);
  return page.entities.map((e) => String(e["name"]));
}
