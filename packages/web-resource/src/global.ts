/**
 * What `xrm-offline.min.js` puts on `window.XrmOffline` for form scripts and HTML web resources,
 * which load plain scripts, not modules. Inside Dataverse, `XrmOffline.createWebApi({ offlineTables })`
 * needs no server URL and no token: it takes the org's URL from the page's global context and
 * authenticates with the session cookie (see docs/model-driven-apps.md).
 */
export { bundledMetadata, Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
export { XrmError } from "@xrm-offline/odata";
export {
  type CreateWebApiOptions,
  createWebApi,
  hostDefaults,
  type OfflineWebApi,
  type SyncFailureView,
  type SyncReport,
  type SyncStatus,
} from "@xrm-offline/webapi";
