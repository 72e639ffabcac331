import { defineProject } from "vitest/config";

export default defineProject({
  // Over-HTTP and browser tests share 2 cores with the rest of the suite: wait budgets, not speed
  // checks (speed is measured by `pnpm bench`).
  test: {
    name: "emulator",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
