/// <reference types="xrm" />
/**
 * Compile-time conformance checks (type-checked by the root tsconfig, never run): the object
 * createWebApi returns must be assignable to @types/xrm's `Xrm.WebApi`.
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createWebApi } from "./create-web-api.ts";
import { installXrmWebApi } from "./install-xrm-web-api.ts";
import type { DeleteResponse } from "./web-api-types.ts";

export async function typeChecks(): Promise<void> {
  const api = createWebApi({ metadata: bundledMetadata(), indexedDB: new IDBFactory(), IDBKeyRange });
  const asXrm: Xrm.WebApi = api;
  const online: Xrm.WebApiOnline = api.online;
  const offline: Xrm.WebApiOffline = api.offline;
  installXrmWebApi(api);

  // Both Xrm styles type-check: callbacks (with the legacy fail/always) and await.
  asXrm.createRecord("account", { name: "x" }).then(
    (r: Xrm.CreateResponse) => r.id,
    (e: Xrm.ErrorResponse) => e.errorCode,
  );
  asXrm.retrieveRecord("account", "id").fail((e) => e.message);
  const created = await api.createRecord("account", { name: "x" });
  const id: string = created.id;
  // deleteRecord resolves with the documented object on our type…
  const deleted: DeleteResponse = await api.offline.deleteRecord("account", id);
  void deleted.entityType;
  // …while the Xrm typing (string) is still satisfied.
  const page = await api.retrieveMultipleRecords<{ name: string }>("account", "?$select=name", 10);
  const first: string | undefined = page.entities[0]?.name;
  const available: boolean = offline.isAvailableOffline("account");
  void [online, first, available];

  // @ts-expect-error createRecord needs the data argument
  api.createRecord("account");
  // @ts-expect-error isAvailableOffline is synchronous: no then()
  api.isAvailableOffline("account").then(() => {});
  // @ts-expect-error an error callback gets { errorCode: number }, not a string code
  asXrm.createRecord("account", {}).catch((e) => e.errorCode.toUpperCase());
  // @ts-expect-error updateRecord needs an id
  api.offline.updateRecord("account", { name: "x" });
  // @ts-expect-error the offline namespace has no execute (online only)
  api.offline.execute({});
}
