import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "field-service", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
