import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { withEmulator } from "./helpers.ts";
import { runMixedLoad } from "./mixed-load.ts";

// Correctness under concurrency only; the throughput figure is `pnpm bench emulator`.
const CLIENTS = 16;
const REQUESTS = 4_000;

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "emulator-load-"));
  ({ emu } = await withEmulator({ database: join(dir, "load.sqlite"), requestLogLimit: 1000 }));
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("load", () => {
  it(`${REQUESTS} mixed requests from ${CLIENTS} concurrent clients end with the exact row count and no error`, async () => {
    const result = await runMixedLoad(emu.url, CLIENTS, REQUESTS);
    expect(result.errors).toEqual([]);
    expect([...result.statusCounts.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(emu.requestLog.total).toBe(REQUESTS);
    expect(emu.count("account")).toBe(result.expectedRows);
    expect(result.liveRows).toBe(result.expectedRows);
  }, 60_000);
});
