import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, client, withEmulator } from "./helpers.ts";

describe("auth", () => {
  let emu: Emulator;
  let api: Client;
  beforeAll(async () => {
    ({ emu, api } = await withEmulator({ accessToken: "secret-token" }));
  });
  afterAll(() => emu.close());

  it("answers 401 and does nothing without the right bearer token", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: "secret-token" },
      { Authorization: "Basic secret-token" },
    ];
    for (const headers of attempts) {
      const res = await api.post("accounts", { name: "nope" }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(res.text).toBe("");
    }
    expect((await api.get("$metadata")).status).toBe(401);
    expect(emu.count("account")).toBe(0);
    const ok = await api.post("accounts", { name: "yes" }, { Authorization: "Bearer secret-token" });
    expect(ok.status).toBe(204);
    expect(emu.count("account")).toBe(1);
  });
});

describe("faults", () => {
  let emu: Emulator;
  let api: Client;
  beforeAll(async () => {
    ({ emu, api } = await withEmulator({ faults: { latencyMs: 0 } }));
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.faults.clear();
    emu.clear();
  });

  it("adds latency", async () => {
    emu.faults.update({ latencyMs: 120 });
    const t0 = performance.now();
    expect((await api.get("accounts")).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it("plays a scripted sequence of 429 / 503 / 500 with Retry-After and Dataverse codes, changeable mid-run", async () => {
    emu.faults.update({
      script: [
        { kind: "status", status: 429, code: "0x80072321", retryAfter: 7 },
        429,
        "pass",
        { kind: "status", status: 429, code: "0x80072326" },
        503,
        500,
      ],
      retryAfter: 3,
    });
    const results = [];
    for (let i = 0; i < 7; i++) {
      const res = await api.post("accounts", { name: `n${i}` });
      results.push([res.status, res.headers.get("retry-after"), res.json.error?.code ?? null]);
    }
    expect(results).toEqual([
      [429, "7", "0x80072321"],
      [429, "3", "0x80072322"],
      [204, null, null],
      [429, "3", "0x80072326"],
      [503, "3", "0x80040216"],
      [500, null, "0x80040216"],
      [204, null, null],
    ]);
    expect(
      emu
        .rows("account")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["n2", "n6"]);
    expect(
      emu.requestLog
        .entries()
        .slice(-7)
        .map((e) => e.fault ?? ""),
    ).toEqual(["429", "429", "", "429", "503", "500", ""]);
    expect(emu.faults.pending).toBe(0);
  });

  it("fails a seeded fraction of requests, reproducibly", async () => {
    const run = async () => {
      emu.faults.set({ failRate: 0.3, failWith: [503, 429], seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await api.get("accounts?$top=1")).status);
      return out;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    const failures = first.filter((s) => s !== 200).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
    expect(new Set(first)).toEqual(new Set([200, 503, 429]));
    emu.faults.update({ failRate: 0 });
    expect((await api.get("accounts")).status).toBe(200);
  });

  it("resets the connection before a write: the client sees a network error and nothing is written", async () => {
    emu.faults.enqueue("reset-before");
    await expect(api.post("accounts", { name: "lost" })).rejects.toThrow(/fetch failed/);
    expect(emu.count("account")).toBe(0);
  });

  it("resets the connection after committing a write: the client sees an error but the row exists", async () => {
    emu.faults.enqueue("reset-after");
    const id = "cccccccc-0000-0000-0000-000000000001";
    await expect(api.post("accounts", { accountid: id, name: "committed" })).rejects.toThrow(/fetch failed/);
    expect(emu.row("account", id)?.name).toBe("committed");
    // The client's retry of the same create now meets the duplicate-key answer.
    const retry = await api.post("accounts", { accountid: id, name: "committed" });
    expect(retry.status).toBe(412);
    expect(retry.json.error!.code).toBe("0x80040237");
    expect(
      emu.requestLog
        .entries()
        .slice(-2)
        .map((e) => [e.status, e.fault]),
    ).toEqual([
      [0, "reset-after"],
      [412, undefined],
    ]);
  });

  it("applies faults only to the requests `appliesTo` selects", async () => {
    emu.faults.set({ failRate: 1, appliesTo: (r) => r.method !== "GET" });
    expect((await api.get("accounts")).status).toBe(200);
    expect((await api.post("accounts", { name: "x" })).status).toBe(503);
  });

  it("goes down (connections refused) and comes back up on the same URL", async () => {
    const url = emu.url;
    await emu.faults.down();
    expect(emu.faults.isDown).toBe(true);
    const attempt = () =>
      fetch(`${url}/accounts`).then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: { code?: string } },
      );
    expect(await attempt()).toBeInstanceOf(TypeError);
    const err = await attempt();
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.cause?.code).toBe("ECONNREFUSED");
    await emu.faults.up();
    const back = client(emu);
    expect((await back.post("accounts", { name: "back" })).status).toBe(204);
    expect(emu.count("account")).toBe(1);
  });
});
