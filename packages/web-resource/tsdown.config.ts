import { libraryConfig } from "../../scripts/tsdown-config.ts";

// dist/index.js + index.d.ts: the global's module (what `XrmOffline` holds), whose types
// xrm-offline.d.ts points at. scripts/build-web-resource.ts then adds the IIFE next to it.
export default libraryConfig({
  index: "src/global.ts",
});
