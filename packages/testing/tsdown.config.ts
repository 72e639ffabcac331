import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig(
  {
    index: "src/index.ts",
  },
  { platform: "node" } /* then scripts/build-cjs.ts adds dist/index.cjs and index.d.cts */,
);
