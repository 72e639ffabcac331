import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig(
  {
    index: "src/index.ts",
  },
  // One file (Node only, so size doesn't matter): scripts/build-cjs.ts then derives dist/index.d.cts
  // from dist/index.d.ts and adds dist/index.cjs.
  { platform: "node", unbundle: false },
);
