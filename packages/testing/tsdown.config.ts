import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig(
  {
    index: "src/index.ts",
  },
  { platform: "node", clean: false } /* dist/index.cjs is build:cjs's */,
);
