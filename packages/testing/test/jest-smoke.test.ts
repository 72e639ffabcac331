// The harness under Jest: runs test/jest/*.jest.ts in a real Jest process (ESM mode, esbuild
// transform) and checks that every test passed.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
// jest's exports map hides bin/jest.js; its package.json is exported.
const jestBin = join(dirname(createRequire(import.meta.url).resolve("jest/package.json")), "bin", "jest.js");

function runJest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--experimental-vm-modules", jestBin, "--config", "jest/jest.config.mjs", "--ci", "--colors=false"],
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

it("runs under Jest: the harness test file passes", { timeout: 120_000 }, async () => {
  const { code, output } = await runJest();
  if (code !== 0) throw new Error(`jest exited with ${code}:\n${output}`);
  expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  expect(output).toContain("PASS test/jest/harness.jest.ts");
});
