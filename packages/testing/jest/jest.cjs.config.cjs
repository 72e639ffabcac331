// Jest as xrm-mock users have it: CommonJS, babel-jest, no ESM flags. Run by
// test/jest-smoke.test.ts ("runs under Jest's default CommonJS set-up"), from packages/testing:
//   node <jest> --config jest/jest.cjs.config.cjs
// `require("@xrm-offline/testing")` resolves to dist/index.cjs (the `require` condition), which the
// test builds first with scripts/build-cjs.ts.
const { join } = require("node:path");

module.exports = {
  rootDir: join(__dirname, ".."),
  testMatch: ["<rootDir>/test/jest/**/*.jest.ts"],
  testEnvironment: "node",
  transform: { "\\.ts$": ["babel-jest", { configFile: join(__dirname, "babel.config.cjs") }] },
  cache: false,
};
