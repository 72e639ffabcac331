import { describe, expect, it } from "vitest";
import { parseCliOptions } from "./cli-options.ts";

describe("parseCliOptions", () => {
  it("takes pnpm's leading '--' (pnpm emulator -- --help) as no argument", () => {
    expect(parseCliOptions(["--", "--help"]).help).toBe(true);
    expect(parseCliOptions(["--", "--port", "0"]).emulator.port).toBe(0);
  });

  it("has file-backed defaults", () => {
    const o = parseCliOptions([]);
    expect(o.emulator).toEqual({
      port: 5555,
      host: "127.0.0.1",
      database: "./.data/emulator.sqlite",
      faults: {},
    });
    expect(o.seedDemo).toBe(false);
  });

  it("reads every flag", () => {
    const o = parseCliOptions([
      "--port=0",
      "--host",
      "0.0.0.0",
      "--database",
      ":memory:",
      "--access-token",
      "t",
      "--latency",
      "50-300",
      "--fail-rate",
      "0.25",
      "--fail-with",
      "429,reset-after",
      "--retry-after",
      "2",
      "--fault-seed",
      "7",
      "--seed-demo",
      "--max-body",
      "1024",
    ]);
    expect(o).toEqual({
      help: false,
      seedDemo: true,
      emulator: {
        port: 0,
        host: "0.0.0.0",
        database: ":memory:",
        accessToken: "t",
        faults: {
          latencyMs: { min: 50, max: 300 },
          failRate: 0.25,
          failWith: ["429", "reset-after"],
          retryAfter: 2,
          seed: 7,
        },
        maxBodyBytes: 1024,
      },
    });
  });

  it("rejects bad values", () => {
    expect(() => parseCliOptions(["--port", "abc"])).toThrow(/--port/);
    expect(() => parseCliOptions(["--fail-rate", "1.5"])).toThrow(/between 0 and 1/);
    expect(() => parseCliOptions(["--fail-with", "404"])).toThrow(/unknown fault/);
    expect(() => parseCliOptions(["--nope"])).toThrow();
  });
});
