/// <reference types="powerapps-component-framework" />
/**
 * Compile-time checks (type-checked by the root tsconfig, never run): the adapter's object is a
 * `ComponentFramework.WebApi`; the plain Xrm-shaped API is not, because of `nextLink`.
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createPcfWebApi } from "./create-pcf-web-api.ts";

export async function typeChecks(context: ComponentFramework.Context<unknown>): Promise<void> {
  const api = createPcfWebApi(context, { indexedDB: new IDBFactory(), IDBKeyRange });
  const webAPI: ComponentFramework.WebApi = api;
  const created: ComponentFramework.LookupValue = await webAPI.createRecord("account", { name: "x" });
  const page = await webAPI.retrieveMultipleRecords("account", "?$select=name", 10);
  const next: string = page.nextLink;
  const first: ComponentFramework.WebApi.Entity | undefined = page.entities[0];
  const pending: number = await api.sync.pendingCount();
  void [created.id, next, first, pending, api.isAvailableOffline("account")];

  const plain = createWebApi({ metadata: bundledMetadata(), indexedDB: new IDBFactory(), IDBKeyRange });
  // @ts-expect-error @types/powerapps-component-framework requires nextLink: string; ours is optional
  const notPcf: ComponentFramework.WebApi = plain;
  void notPcf;
  // @ts-expect-error createRecord needs the data argument
  webAPI.createRecord("account");
}
