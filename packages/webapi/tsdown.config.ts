import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig({
  index: "src/index.ts",
  "worker-entry": "src/worker-entry.ts",
});
