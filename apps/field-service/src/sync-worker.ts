/**
 * The sync engine off the main thread (the app opened with `?sync=worker`): this dedicated worker
 * owns the engine — push, pull, retries — and serves its `sync` API to the page, which keeps only
 * the local reads and writes. Same database, same Web Lock: never two runners.
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";
import { serveSyncWorker } from "@xrm-offline/webapi/worker";
import { endpointsFor, OFFLINE_TABLES } from "./app-config.ts";

const { serverUrl, databaseName } = endpointsFor(self.location.origin);
const api = createWebApi({
  metadata: bundledMetadata(),
  serverUrl,
  databaseName,
  offlineTables: OFFLINE_TABLES,
});
serveSyncWorker(self, api.sync);
