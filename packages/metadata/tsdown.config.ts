import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig({
  index: "src/index.ts",
  bundled: "src/bundled.ts",
  "testing/index": "src/testing/index.ts",
});
