// Jest for the harness's smoke test (run by test/jest-smoke.test.ts):
//   node --experimental-vm-modules <jest> --config packages/testing/jest/jest.config.mjs
import { fileURLToPath } from "node:url";

export default {
  rootDir: fileURLToPath(new URL("..", import.meta.url)),
  testMatch: ["<rootDir>/test/jest/**/*.jest.ts"],
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
  transform: { "\\.ts$": "<rootDir>/jest/esbuild-transform.cjs" },
  cache: false,
};
