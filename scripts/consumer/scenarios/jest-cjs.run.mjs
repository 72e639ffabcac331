// (iv) Jest as xrm-mock users have it: Jest 30 projects with the default CommonJS set-up (no ESM
// flags, no custom environment), in both ways they turn TypeScript into CommonJS, against the
// packed @xrm-offline/testing (its `require` condition, dist/index.cjs, typed by dist/index.d.cts):
//   - babel-jest (@babel/preset-env + @babel/preset-typescript);
//   - ts-jest (preset "ts-jest", with the project's own TypeScript 5 — ts-jest drives the compiler
//     API, which TypeScript 7, the workspace's, doesn't have; a consumer's is what counts here), which
//     also type-checks the tests against our .d.cts under `strict`.
// Each runs:
//   - docs/testing.md's example (the form script and its test, the files the docs show), with its
//     `vitest` import swapped for `@jest/globals` — the only change a Jest user makes (for ts-jest,
//     relative imports also lose their `.ts` extension, as a CommonJS TypeScript project writes them);
//   - the harness's own Jest file (packages/testing/test/jest/harness.jest.ts: the form script and
//     a scenario helper).
// Each project is a folder of the consumer project without "type": "module" (so .js is CommonJS),
// resolving jest, babel, ts-jest and @xrm-offline/testing from the consumer's node_modules.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const consumer = process.env.CONSUMER_DIR;
const workspace = process.env.WORKSPACE_DIR;
const testing = join(workspace, "packages", "testing", "test");
const vitestImport = 'import { afterEach, beforeEach, expect, it } from "vitest";';
const example = readFileSync(join(testing, "examples", "account-form.test.ts"), "utf8");
if (!example.includes(vitestImport)) {
  console.error(`the docs example no longer imports ${vitestImport}; update this scenario`);
  process.exit(1);
}

const setups = {
  "babel-jest": {
    files: {
      "jest.config.js": 'module.exports = { testEnvironment: "node" };\n',
      "babel.config.js":
        'module.exports = {\n  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],\n};\n',
    },
    source: (text) => text,
  },
  "ts-jest": {
    files: {
      "jest.config.js": 'module.exports = { preset: "ts-jest", testEnvironment: "node" };\n',
      "tsconfig.json": `${JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "commonjs",
            lib: ["ES2023", "DOM"],
            strict: true,
            esModuleInterop: true,
            skipLibCheck: false,
            types: ["xrm", "node"],
          },
          include: ["test"],
        },
        null,
        2,
      )}\n`,
    },
    source: (text) => text.replace(/(from "\.{1,2}\/[^"]*)\.ts"/g, '$1"'),
  },
};

const jest = join(consumer, "node_modules", "jest", "bin", "jest.js");
let failed = false;
for (const [name, setup] of Object.entries(setups)) {
  const dir = join(consumer, `jest-cjs-${name}`);
  mkdirSync(join(dir, "test", "examples"), { recursive: true });
  mkdirSync(join(dir, "test", "jest"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `jest-cjs-${name}`, private: true }, null, 2)}\n`,
  );
  for (const [file, text] of Object.entries(setup.files)) writeFileSync(join(dir, file), text);
  const copy = (from, to) =>
    writeFileSync(join(dir, "test", to), setup.source(readFileSync(join(testing, from), "utf8")));
  copy(join("examples", "account-form.ts"), join("examples", "account-form.ts"));
  writeFileSync(
    join(dir, "test", "examples", "account-form.test.ts"),
    setup.source(
      example.replace(vitestImport, 'import { afterEach, beforeEach, expect, it } from "@jest/globals";'),
    ),
  );
  copy(join("jest", "harness.jest.ts"), join("jest", "harness.test.ts"));

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
    console.error(`${name}: jest exited with ${r.status}:\n${output}`);
    failed = true;
    continue;
  }
  console.log(
    `${name}:\n${output
      .split("\n")
      .filter((l) => /^(PASS|Tests:)/.test(l))
      .join("\n")}`,
  );
}
process.exit(failed ? 1 : 0);
