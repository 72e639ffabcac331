import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "odata",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/load-fetchxml-reader.ts"],
  },
});
