import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig({
  index: "src/index.ts",
  "testing/index": "src/testing/index.ts",
});
