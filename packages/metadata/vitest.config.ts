import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "metadata", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
