import { defineConfig } from "vitest/config";

// One vitest project per package/app; each runs the *.test.ts files next to its code.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
  },
});
