/**
 * `Xrm.WebApi.online` until a server is wired up. The sync issue replaces this with
 * `createOnlineApi(transport)`; `createWebApi` takes whichever OnlineApi it is given.
 */
import { xrmError } from "@xrm-offline/odata";
import type { OfflineTables } from "./offline-tables.ts";
import type { OnlineApi } from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

function noServer(method: string) {
  return xrmError(
    "NotSupported",
    `Xrm.WebApi.online.${method}: no server is configured (createWebApi was called without a serverUrl), so only the offline store is available.`,
  );
}

/** An online namespace whose every call rejects with "no server configured". */
export function createUnconfiguredOnlineApi(tables: OfflineTables): OnlineApi {
  const reject = <T, L = T>(method: string) =>
    xrmPromise<T, L>(() => {
      throw noServer(method);
    });
  return {
    createRecord: () => reject("createRecord"),
    updateRecord: () => reject("updateRecord"),
    deleteRecord: () => reject("deleteRecord"),
    retrieveRecord: () => reject("retrieveRecord"),
    retrieveMultipleRecords: () => reject("retrieveMultipleRecords"),
    execute: () => reject("execute"),
    executeMultiple: () => reject("executeMultiple"),
    isAvailableOffline: (entityLogicalName: string) => tables.isAvailable(entityLogicalName),
  };
}
