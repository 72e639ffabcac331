// The harness under Jest: runs test/jest/*.jest.ts in real Jest 30 processes — ESM mode (esbuild
// transform, packages as TypeScript source) and the default CommonJS mode xrm-mock users have
// (babel-jest, no ESM flags, the package's CommonJS build) — and checks that every test passed.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { buildTestingCjs } from "../scripts/build-cjs.ts";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
// jest's exports map hides bin/jest.js; its package.json is exported.
const jestBin = join(dirname(createRequire(import.meta.url).resolve("jest/package.json")), "bin", "jest.js");

function runJest(nodeArgs: string[], config: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, jestBin, "--config", config, "--ci", "--colors=false"],
      { cwd: packageDir, env: { ...process.env, NODE_NO_WARNINGS: "1", FORCE_COLOR: "0" } },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 110_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it("runs under Jest in ESM mode: the harness test file passes", { timeout: 120_000 }, async () => {
  const { code, output } = await runJest(["--experimental-vm-modules"], "jest/jest.config.mjs");
  if (code !== 0) throw new Error(`jest exited with ${code}:\n${output}`);
  expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  expect(output).toContain("PASS test/jest/harness.jest.ts");
});

it("runs under Jest's default CommonJS set-up (babel-jest, require): the harness test file passes", {
  timeout: 180_000,
}, async () => {
  await buildTestingCjs();
  const { code, output } = await runJest([], "jest/jest.cjs.config.cjs");
  if (code !== 0) throw new Error(`jest exited with ${code}:\n${output}`);
  expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  expect(output).toContain("PASS test/jest/harness.jest.ts");
  expect(output).not.toContain("experimental-vm-modules");
});
