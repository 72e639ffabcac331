import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { withEmulator } from "./helpers.ts";

const CLIENTS = 16;
const REQUESTS = 20_000;

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

function guid(client: number, n: number): string {
  return `${client.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

describe("load", () => {
  it(`${REQUESTS} mixed requests from ${CLIENTS} concurrent clients end with the exact row count and no error`, async () => {
    const perClient = REQUESTS / CLIENTS;
    const errors: string[] = [];
    const statusCounts = new Map<number, number>();
    const json = { "Content-Type": "application/json", Accept: "application/json" };

    const runClient = async (c: number) => {
      const live: string[] = [];
      let next = 0;
      let created = 0;
      let deleted = 0;
      for (let j = 0; j < perClient; j++) {
        const op = j % 10;
        let res: Response;
        let expected: number;
        if (op <= 3 || live.length === 0) {
          const id = guid(c, next++);
          res = await fetch(`${emu.url}/accounts`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ accountid: id, name: `c${c} #${j}`, revenue: j }),
          });
          expected = 204;
          live.push(id);
          created++;
        } else if (op <= 5) {
          const id = live[j % live.length]!;
          res = await fetch(`${emu.url}/accounts(${id})`, {
            method: "PATCH",
            headers: { ...json, "If-Match": "*" },
            body: JSON.stringify({ revenue: j * 2 }),
          });
          expected = 204;
        } else if (op === 6) {
          res = await fetch(`${emu.url}/accounts(${live[live.length - 1]})?$select=name,revenue`, {
            headers: json,
          });
          expected = 200;
        } else if (op === 7) {
          res = await fetch(
            `${emu.url}/accounts?$select=name&$filter=${encodeURIComponent(`startswith(name,'c${c} ')`)}&$top=5`,
            { headers: json },
          );
          expected = 200;
        } else if (op === 8) {
          const id = live.shift()!;
          res = await fetch(`${emu.url}/accounts(${id})`, { method: "DELETE", headers: json });
          expected = 204;
          deleted++;
        } else {
          const id = guid(c, next++);
          res = await fetch(`${emu.url}/accounts(${id})`, {
            method: "PATCH",
            headers: json,
            body: JSON.stringify({ name: `upsert c${c} #${j}` }),
          });
          expected = 204;
          live.push(id);
          created++;
        }
        await res.arrayBuffer();
        statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
        if (res.status !== expected) errors.push(`client ${c} op ${op}: ${res.status}`);
      }
      return { created, deleted, live: live.length };
    };

    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => runClient(c)));
    const seconds = (performance.now() - t0) / 1000;
    const expectedRows = results.reduce((n, r) => n + r.created - r.deleted, 0);
    expect(errors).toEqual([]);
    expect([...statusCounts.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(emu.requestLog.total).toBe(REQUESTS);
    expect(emu.count("account")).toBe(expectedRows);
    expect(expectedRows).toBe(results.reduce((n, r) => n + r.live, 0));
    expect(seconds).toBeLessThan(60);
    console.log(
      `load: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)} req/s), ${expectedRows} rows`,
    );
  }, 90_000);
});
