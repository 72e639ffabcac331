import { libraryConfig } from "../../scripts/tsdown-config.ts";

export default libraryConfig({
  index: "src/index.ts",
  "online-entry": "src/online-entry.ts",
  "worker-entry": "src/worker-entry.ts",
});
