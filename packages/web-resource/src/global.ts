/**
 * What `xrm-offline.min.js` puts on `window.XrmOffline` for form scripts and HTML web resources,
 * which load plain scripts, not modules. Inside Dataverse, `XrmOffline.createWebApi({ offlineTables })`
 * needs no server URL and no token: it takes the org's URL from the page's global context and
 * authenticates with the session cookie (see docs/model-driven-apps.md).
 */
import { Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import {
  type CreateWebApiOptions,
  createWebApi as createWithMetadata,
  type OfflineWebApi,
} from "@xrm-offline/webapi";

export { bundledMetadata, Metadata, metadataFromCsdl };

/**
 * `createWebApi` of @xrm-offline/webapi, except that `metadata` defaults to the bundled tables and
 * may also be CSDL `$metadata` XML: this single file carries the tables and the CSDL reader anyway
 * (a web resource can't pick entry points).
 */
export function createWebApi(
  options?: Omit<CreateWebApiOptions, "metadata"> & {
    readonly metadata?: CreateWebApiOptions["metadata"] | string;
  },
): OfflineWebApi {
  const metadata = options?.metadata;
  return createWithMetadata({
    ...options,
    metadata: typeof metadata === "string" ? metadataFromCsdl(metadata) : (metadata ?? bundledMetadata()),
  });
}
export { XrmError } from "@xrm-offline/odata";
export {
  type CreateWebApiOptions,
  hostDefaults,
  type OfflineWebApi,
  type SyncFailureView,
  type SyncReport,
  type SyncStatus,
} from "@xrm-offline/webapi";
