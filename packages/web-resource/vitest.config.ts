import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "web-resource", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
