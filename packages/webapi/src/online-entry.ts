/**
 * `@xrm-offline/webapi/online`: `Xrm.WebApi.online` straight to the server over a transport of
 * your own, without the offline store. `createWebApi` builds its `online` namespace itself when it
 * is given a `serverUrl` (and loads this code only when syncing starts), so a page that imports just
 * `createWebApi` doesn't carry it; it lives on its own subpath rather than in the main entry because
 * some bundlers (esbuild) put every module a used barrel re-exports into the page's first chunk.
 */
export { createOnlineApi, queryString } from "./online/create-online-api.ts";
