import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "webapi", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
