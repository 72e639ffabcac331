import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "pcf", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
