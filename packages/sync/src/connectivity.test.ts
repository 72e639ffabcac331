import { describe, expect, it } from "vitest";
import { createConnectivity } from "./connectivity.ts";
import { FakeClock, flush } from "./testing/fake-clock.ts";

function setup(opts: { onLine?: boolean; reachable?: boolean[] } = {}) {
  const events = new EventTarget();
  const clock = new FakeClock();
  let onLine = opts.onLine ?? true;
  const answers = [...(opts.reachable ?? [])];
  let probes = 0;
  const values: boolean[] = [];
  const connectivity = createConnectivity({
    events,
    onLine: () => onLine,
    probe: async () => {
      probes++;
      return answers.shift() ?? true;
    },
    probeIntervalMs: 1000,
    clock,
  });
  const sub = connectivity.subscribe((v) => values.push(v));
  return {
    events,
    clock,
    values,
    get probes() {
      return probes;
    },
    setOnLine(v: boolean) {
      onLine = v;
      events.dispatchEvent(new Event(v ? "online" : "offline"));
    },
    sub,
    connectivity,
  };
}

describe("createConnectivity", () => {
  it("confirms 'online' with a probe of the server", async () => {
    const c = setup({ reachable: [true] });
    await flush();
    expect(c.values).toEqual([true]);
    expect(c.probes).toBe(1);
    c.sub.unsubscribe();
  });

  it("goes offline at once on the 'offline' event, and back online after a successful probe", async () => {
    const c = setup();
    await flush();
    c.setOnLine(false);
    expect(c.values).toEqual([true, false]);
    c.setOnLine(true);
    await flush();
    expect(c.values).toEqual([true, false, true]);
    c.sub.unsubscribe();
  });

  it("treats a flaky 'online' (probe fails) as offline and probes again until the server answers", async () => {
    const c = setup({ reachable: [false, false, true] });
    await flush();
    expect(c.values).toEqual([false]);
    await c.clock.advance(1000);
    expect(c.values).toEqual([false]);
    expect(c.probes).toBe(2);
    await c.clock.advance(1000);
    expect(c.values).toEqual([false, true]);
    await c.clock.advance(5000);
    expect(c.probes).toBe(3);
    c.sub.unsubscribe();
  });

  it("does not probe while the platform says offline; a throwing probe means unreachable", async () => {
    const events = new EventTarget();
    const values: boolean[] = [];
    let probes = 0;
    const sub = createConnectivity({
      events,
      onLine: () => false,
      probe: async () => {
        probes++;
        throw new Error("boom");
      },
    }).subscribe((v) => values.push(v));
    await flush();
    expect([values, probes]).toEqual([[false], 0]);
    sub.unsubscribe();
  });

  it("shares one probe loop between subscribers and replays the latest value", async () => {
    const c = setup();
    await flush();
    const late: boolean[] = [];
    const sub2 = c.connectivity.subscribe((v) => late.push(v));
    expect(late).toEqual([true]);
    expect(c.probes).toBe(1);
    sub2.unsubscribe();
    c.sub.unsubscribe();
  });
});
