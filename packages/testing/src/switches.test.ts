import { describe, expect, it } from "vitest";
import { createNetworkSwitch } from "./network-switch.ts";
import { createTokenSwitch } from "./token-switch.ts";

describe("createTokenSwitch", () => {
  it("hands out the token until expired; stale until a forced refresh; then good again", () => {
    const t = createTokenSwitch("tok");
    expect(t.provider()).toBe("tok");
    t.expire();
    const stale1 = t.provider();
    const stale2 = t.provider();
    expect(stale1).not.toBe("tok");
    expect(stale2).not.toBe(stale1);
    expect(t.provider({ forceRefresh: true })).toBe("tok");
    expect(t.provider()).toBe("tok");
    expect(t.calls).toEqual([
      { forceRefresh: false, stale: false },
      { forceRefresh: false, stale: true },
      { forceRefresh: false, stale: true },
      { forceRefresh: true, stale: false },
      { forceRefresh: false, stale: false },
    ]);
  });

  it("afterCalls: that many good tokens first", () => {
    const t = createTokenSwitch("tok");
    t.expire({ afterCalls: 2 });
    expect([t.provider(), t.provider(), t.provider() === "tok"]).toEqual(["tok", "tok", false]);
  });

  it("refuses a bad afterCalls", () => {
    const t = createTokenSwitch("tok");
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => t.expire({ afterCalls: bad })).toThrow(expect.objectContaining({ errorCode: 0x80040203 }));
    }
    expect(t.provider()).toBe("tok");
  });
});

describe("createNetworkSwitch", () => {
  it("off: fetch rejects like fetch without a network, the inner fetch is not called, connectivity says so", async () => {
    const seen: string[] = [];
    const inner = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response("ok");
    }) as typeof fetch;
    const net = createNetworkSwitch(true, inner);
    const states: boolean[] = [];
    const sub = net.connectivity.subscribe((v) => states.push(v));
    expect(await (await net.fetch("http://127.0.0.1:1/a")).text()).toBe("ok");
    net.set(false);
    net.set(false); // no duplicate emission
    const error = await net.fetch("http://127.0.0.1:1/b").then(
      () => undefined,
      (e: TypeError & { cause?: { code?: string } }) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toBe("fetch failed");
    expect(error?.cause?.code).toBe("ENETUNREACH");
    expect(net.refused).toBe(1);
    net.set(true);
    await net.fetch("http://127.0.0.1:1/c");
    expect(seen).toEqual(["http://127.0.0.1:1/a", "http://127.0.0.1:1/c"]);
    expect(states).toEqual([true, false, true]);
    expect(net.online).toBe(true);
    sub.unsubscribe();
  });
});
