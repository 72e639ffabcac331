// (iv) Jest as xrm-mock users have it: a Jest 30 project with the default CommonJS set-up
// (babel-jest turning `import` into `require`, no ESM flags, no custom environment) runs, against
// the packed @xrm-offline/testing (its `require` condition, dist/index.cjs):
//   - docs/testing.md's example (the form script and its test, the files the docs show), with its
//     `vitest` import swapped for `@jest/globals` — the only change a Jest user makes;
//   - the harness's own Jest file (packages/testing/test/jest/harness.jest.ts: the form script and
//     a scenario helper).
// The project is a folder of the consumer project without "type": "module" (so .js is CommonJS),
// resolving jest, babel and @xrm-offline/testing from the consumer's node_modules.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const consumer = process.env.CONSUMER_DIR;
const workspace = process.env.WORKSPACE_DIR;
const dir = join(consumer, "jest-cjs");
const testing = join(workspace, "packages", "testing", "test");
mkdirSync(join(dir, "test", "examples"), { recursive: true });
mkdirSync(join(dir, "test", "jest"), { recursive: true });

writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "jest-cjs", private: true }, null, 2)}\n`);
writeFileSync(join(dir, "jest.config.js"), 'module.exports = { testEnvironment: "node" };\n');
writeFileSync(
  join(dir, "babel.config.js"),
  'module.exports = {\n  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],\n};\n',
);
copyFileSync(join(testing, "examples", "account-form.ts"), join(dir, "test", "examples", "account-form.ts"));
const example = readFileSync(join(testing, "examples", "account-form.test.ts"), "utf8");
const vitestImport = 'import { afterEach, beforeEach, expect, it } from "vitest";';
if (!example.includes(vitestImport)) {
  console.error(`the docs example no longer imports ${vitestImport}; update this scenario`);
  process.exit(1);
}
writeFileSync(
  join(dir, "test", "examples", "account-form.test.ts"),
  example.replace(vitestImport, 'import { afterEach, beforeEach, expect, it } from "@jest/globals";'),
);
copyFileSync(join(testing, "jest", "harness.jest.ts"), join(dir, "test", "jest", "harness.test.ts"));

const jest = join(consumer, "node_modules", "jest", "bin", "jest.js");
const r = spawnSync(process.execPath, [jest, "--ci", "--colors=false"], {
  cwd: dir,
  encoding: "utf8",
  env: { ...process.env, FORCE_COLOR: "0" },
});
const output = `${r.stdout}${r.stderr}`;
const ok =
  r.status === 0 &&
  /Tests:\s+4 passed, 4 total/.test(output) &&
  output.includes("PASS test/examples/account-form.test.ts") &&
  output.includes("PASS test/jest/harness.test.ts") &&
  !output.includes("experimental-vm-modules");
if (!ok) {
  console.error(`jest exited with ${r.status}:\n${output}`);
  process.exit(1);
}
console.log(
  output
    .split("\n")
    .filter((l) => /^(PASS|Tests:)/.test(l))
    .join("\n"),
);
