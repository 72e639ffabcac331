// Types of the global `XrmOffline` that xrm-offline.min.js defines, for scripts written in
// TypeScript (or checked with // @ts-check). The types come from the package itself, so there is
// one definition: `npm install -D @xrm-offline/web-resource`, then list
// node_modules/@xrm-offline/web-resource/xrm-offline.d.ts in tsconfig "files" (or reference it
// with `/// <reference path="…" />`).
import type * as XrmOfflineGlobal from "@xrm-offline/web-resource";

declare global {
  const XrmOffline: typeof XrmOfflineGlobal;
  interface Window {
    readonly XrmOffline: typeof XrmOfflineGlobal;
  }
}
