import { afterEach, describe, expect, it, vi } from "vitest";
import { endpointsFor, uploadChunkBytesFrom } from "../src/app-config.ts";
import { countingFetch } from "../src/boot/counting-fetch.ts";
import { lastSyncedMemory, laterOf } from "../src/boot/last-synced.ts";
import { parseStartOptions } from "../src/server/start-options.ts";
import { planFetch } from "../src/sw/shell-cache.ts";
import { explainFailure } from "../src/ui/failure-text.ts";
import { firstSyncTracker } from "../src/ui/first-sync-progress.ts";
import { fitWithin } from "../src/ui/image-downscale.ts";
import { listRedraw } from "../src/ui/list-redraw.ts";
import { pickerHint } from "../src/ui/picker-hint.ts";
import { odataText } from "../src/ui/records.ts";
import { parseRoute } from "../src/ui/router.ts";
import { sendStateText } from "../src/ui/send-state-text.ts";
import { relativeTime, statusView } from "../src/ui/status-view.ts";
import { uploadPercents, uploadsChanged } from "../src/ui/upload-progress.ts";

const GUID = "3595caa4-9c63-4b43-a98f-c0a9b767bde1";

describe("parseRoute", () => {
  it("maps hashes to screens", () => {
    expect(parseRoute("")).toEqual({ view: "work" });
    expect(parseRoute("#/new")).toEqual({ view: "new-case" });
    expect(parseRoute("#/errors")).toEqual({ view: "errors" });
    expect(parseRoute(`#/case/${GUID.toUpperCase()}`)).toEqual({ view: "case", id: GUID });
  });
  it("falls back to the work list for anything else", () => {
    expect(parseRoute("#/case/not-a-guid")).toEqual({ view: "work" });
    expect(parseRoute("#/case/__proto__")).toEqual({ view: "work" });
    expect(parseRoute(`#/case/${GUID}/x`)).toEqual({ view: "work" });
    expect(parseRoute("#/whatever")).toEqual({ view: "work" });
  });
});

describe("statusView", () => {
  const base = {
    connectivity: "online" as const,
    phase: "idle" as const,
    pending: 0,
    failed: 0,
    progress: null,
    lastSyncedAt: null,
    lastError: null,
    uploads: [],
  };
  it("shows pushing progress", () => {
    const v = statusView({ ...base, phase: "pushing", pending: 180, progress: { done: 120, total: 300 } });
    expect(v.phaseLabel).toBe("Sending changes");
    expect(v.progressText).toBe("120 of 300");
    expect(v.progressRatio).toBe(0.4);
  });
  it("names the idle state after what is waiting", () => {
    expect(statusView({ ...base, connectivity: "offline", pending: 3 }).phaseLabel).toBe(
      "Waiting for the network",
    );
    expect(statusView({ ...base, connectivity: "offline" }).phaseLabel).toBe("Working offline");
    expect(statusView({ ...base, pending: 3 }).phaseLabel).toBe("Changes waiting");
    expect(statusView({ ...base, failed: 1 }).phaseLabel).toBe("Needs attention");
    expect(statusView(base).phaseLabel).toBe("Up to date");
    expect(statusView(base).lastSynced).toBe("Never synced");
  });
  it("names the table being downloaded, and says why Sync now is off offline", () => {
    const v = statusView({
      ...base,
      phase: "pulling",
      progress: { done: 2000, total: 5054, table: "account" } as never,
    });
    expect(v.progressText).toBe("Customers: 2000 of 5054");
    expect(v.syncNowBlocked).toBeNull();
    const off = statusView({ ...base, connectivity: "offline", phase: "backing-off", pending: 1 });
    expect(off.phaseLabel).toBe("Waiting for the network");
    expect(off.syncNowBlocked).toMatch(/offline/);
  });
  it("shows the remembered last sync when the engine has none yet", () => {
    const now = new Date("2025-01-01T12:00:00Z");
    expect(statusView(base, now, "2025-01-01T11:50:00Z").lastSynced).toBe("Last synced 10 min ago");
  });
  it("keeps progress within 0..1 and empty totals null", () => {
    expect(
      statusView({ ...base, phase: "pushing", progress: { done: 5, total: 0 } }).progressRatio,
    ).toBeNull();
    expect(statusView({ ...base, phase: "pushing", progress: { done: 9, total: 3 } }).progressRatio).toBe(1);
  });
  it("says when it last synced", () => {
    const now = new Date("2025-01-01T12:00:00Z");
    expect(relativeTime(new Date("2025-01-01T11:59:50Z"), now)).toBe("just now");
    expect(relativeTime(new Date("2025-01-01T11:50:00Z"), now)).toBe("10 min ago");
    expect(relativeTime(new Date("2025-01-01T09:00:00Z"), now)).toBe("3 h ago");
    expect(relativeTime(new Date("2024-12-20T09:00:00Z"), now)).toBe("2024-12-20");
    expect(relativeTime(new Date("garbage"), now)).toBe("at an unknown time");
  });
});

describe("planFetch", () => {
  const manifest = { version: "v1", files: ["/", "/assets/app.js", "/index.html"] };
  const o = "http://127.0.0.1:4173";
  it("serves navigations from the cached shell and precached files from the cache", () => {
    expect(planFetch({ method: "GET", url: `${o}/#/case/x`, mode: "navigate" }, o, manifest)).toEqual({
      kind: "shell",
    });
    expect(planFetch({ method: "GET", url: `${o}/assets/app.js`, mode: "no-cors" }, o, manifest)).toEqual({
      kind: "cache-first",
      path: "/assets/app.js",
    });
  });
  it("never answers the Web API, writes, other origins or unknown files", () => {
    expect(
      planFetch({ method: "GET", url: `${o}/api/data/v9.2/accounts`, mode: "cors" }, o, manifest),
    ).toEqual({ kind: "network" });
    expect(planFetch({ method: "POST", url: `${o}/`, mode: "navigate" }, o, manifest)).toEqual({
      kind: "network",
    });
    expect(
      planFetch({ method: "GET", url: "http://other/assets/app.js", mode: "cors" }, o, manifest),
    ).toEqual({ kind: "network" });
    expect(planFetch({ method: "GET", url: `${o}/assets/new.js`, mode: "cors" }, o, manifest)).toEqual({
      kind: "network",
    });
    expect(planFetch({ method: "GET", url: "::garbage", mode: "cors" }, o, manifest)).toEqual({
      kind: "network",
    });
  });
});

describe("endpointsFor", () => {
  it("puts the Web API on the app's origin and names the database after it", () => {
    expect(endpointsFor("http://127.0.0.1:4173")).toEqual({
      serverUrl: "http://127.0.0.1:4173/api/data/v9.2",
      databaseName: "xrm-offline:127.0.0.1:4173:field-service",
    });
  });
});

describe("countingFetch", () => {
  it("counts writes only", async () => {
    const seen: string[] = [];
    const c = countingFetch(async (input, init) => {
      seen.push(`${init?.method ?? "GET"} ${String(input)}`);
      return new Response(null, { status: 204 });
    });
    await c.fetch("/a");
    await c.fetch("/a", { method: "post" });
    await c.fetch("/a", { method: "PATCH" });
    await c.fetch(new Request("http://x/$batch", { method: "POST" }));
    await c.fetch("/a", { method: "HEAD" });
    expect(c.writes()).toBe(3);
    expect(seen).toHaveLength(5);
  });
});

describe("parseStartOptions", () => {
  it("has defaults and reads ports", () => {
    const o = parseStartOptions(["--port", "0", "--emulator-port", "5555", "--skip-build"]);
    expect(o).toMatchObject({ port: 0, emulatorPort: 5555, host: "127.0.0.1", skipBuild: true, help: false });
    expect(o.database.endsWith("apps/field-service/.data/emulator.sqlite")).toBe(true);
    expect(parseStartOptions([]).port).toBe(4173);
  });
  it("refuses bad ports and unknown options", () => {
    expect(() => parseStartOptions(["--port", "70000"])).toThrow(/--port must be a port number/);
    expect(() => parseStartOptions(["--port", "abc"])).toThrow(/--port/);
    expect(() => parseStartOptions(["--nope"])).toThrow();
  });
});

describe("lastSyncedMemory", () => {
  const storage = () => {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      m,
    } as unknown as Storage & { m: Map<string, string> };
  };
  it("keeps the later time per database, ignoring null and garbage", () => {
    const s = storage();
    const a = lastSyncedMemory("db1", s);
    expect(a.read()).toBeNull();
    expect(a.remember("2025-01-01T10:00:00Z")).toBe("2025-01-01T10:00:00Z");
    expect(a.remember("2025-01-01T09:00:00Z")).toBe("2025-01-01T10:00:00Z");
    expect(a.remember(null)).toBe("2025-01-01T10:00:00Z");
    expect(lastSyncedMemory("db1", s).read()).toBe("2025-01-01T10:00:00Z");
    expect(lastSyncedMemory("db2", s).read()).toBeNull();
    expect(laterOf("garbage", null)).toBeNull();
  });
});

describe("explainFailure", () => {
  it("says what happened and what each button does, by error type", () => {
    expect(explainFailure({ action: "Update", entity: "incident", errorType: 1 }).what).toBe(
      "This case was deleted in the office. Your changes can't be saved.",
    );
    expect(explainFailure({ action: "Update", entity: "incident", errorType: 0 }).discard).toBe(
      "Discard drops your changes and keeps the office's version.",
    );
    expect(explainFailure({ action: "Create", entity: "task", errorType: 3, httpStatus: 403 }).what).toBe(
      "You aren't allowed to make this change to the task.",
    );
    expect(explainFailure({ action: "Create", entity: "x", errorType: 3 }).discard).toBe(
      "Discard removes the new record from this device.",
    );
  });
});

describe("firstSyncTracker", () => {
  const s = {
    connectivity: "online" as const,
    pending: 0,
    failed: 0,
    lastError: null,
    lastSyncedAt: null,
    uploads: [],
  };
  it("marks earlier tables done as later ones start, keeps unknown totals unknown, finishes all at the end", () => {
    const t = firstSyncTracker(["incident", "task", "account"]);
    t.update({ ...s, phase: "pulling", progress: { done: 50, total: 120, table: "incident" } as never });
    const mid = t.update({
      ...s,
      phase: "pulling",
      progress: { done: 10, total: 10, table: "account" } as never,
    });
    expect(mid.map((r) => [r.table, r.state, r.done, r.total])).toEqual([
      ["incident", "done", 50, 120],
      ["task", "done", 0, 0],
      ["account", "downloading", 10, null],
    ]);
    const end = t.update({ ...s, phase: "idle", progress: null, lastSyncedAt: "2025-01-01T00:00:00Z" });
    expect(end.map((r) => r.state)).toEqual(["done", "done", "done"]);
  });
  it("keeps the server's total when the last page reaches it", () => {
    const t = firstSyncTracker(["account"]);
    const pulling = (done: number, total: number) =>
      t.update({ ...s, phase: "pulling", progress: { done, total, table: "account" } as never })[0];
    expect(pulling(2000, 20_004)).toMatchObject({ done: 2000, total: 20_004 });
    expect(pulling(20_004, 20_004)).toMatchObject({ state: "downloading", done: 20_004, total: 20_004 });
  });
});

describe("fitWithin and odataText", () => {
  it("scales the long side down to the limit, never up", () => {
    expect(fitWithin(3000, 2000, 1600)).toEqual({ width: 1600, height: 1067 });
    expect(fitWithin(2000, 4000, 1600)).toEqual({ width: 800, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
  });
  it("escapes quotes and encodes what would end the option", () => {
    expect(odataText("O'Brien & Sons #1")).toBe("O''Brien%20%26%20Sons%20%231");
  });
});

describe("sendStateText", () => {
  it("says where a photo stands, a percentage only when one is known, clamped", () => {
    expect(sendStateText("waiting")).toBe("Waiting to send");
    expect(sendStateText("sending")).toBe("Sending…");
    expect(sendStateText("sending", 41.9)).toBe("Sending… 41%");
    expect(sendStateText("sending", 0)).toBe("Sending… 0%");
    expect(sendStateText("sending", 140)).toBe("Sending… 100%");
    expect(sendStateText("failed")).toBe("Not sent: see Sync errors");
    expect(sendStateText("sent")).toBe("Sent");
  });
});

describe("uploadPercents and uploadsChanged", () => {
  const note = (recordId: string, sentBytes: number, totalBytes: number) => ({
    entity: "annotation",
    recordId,
    column: "documentbody",
    fileName: "photo.jpg",
    sentBytes,
    totalBytes,
  });
  it("gives each note's acknowledged share, leaving other tables and empty bodies out", () => {
    const percents = uploadPercents(
      [
        note("a", 0, 60_000),
        note("b", 16_384, 65_536),
        note("c", 70_000, 65_536),
        note("d", 0, 0),
        { ...note("e", 5, 10), entity: "account", column: "entityimage" },
      ],
      "annotation",
    );
    expect([...percents]).toEqual([
      ["a", 0],
      ["b", 25],
      ["c", 100],
    ]);
  });
  it("sees a new block, a new file or a file gone, not a copy of the same list", () => {
    const list = [note("a", 0, 100)];
    expect(uploadsChanged(list, [note("a", 0, 100)])).toBe(false);
    expect(uploadsChanged(undefined, [])).toBe(false);
    expect(uploadsChanged(list, [note("a", 50, 100)])).toBe(true);
    expect(uploadsChanged(list, [note("b", 0, 100)])).toBe(true);
    expect(uploadsChanged(list, [])).toBe(true);
    expect(uploadsChanged(undefined, list)).toBe(true);
  });
});

describe("uploadChunkBytesFrom", () => {
  it("takes a whole number of at least 1 KB and ignores anything else", () => {
    const of = (q: string) => uploadChunkBytesFrom(new URLSearchParams(q));
    expect(of("uploadChunkBytes=16384")).toBe(16_384);
    expect(of("uploadChunkBytes=1024")).toBe(1024);
    expect(of("")).toBeUndefined();
    expect(of("uploadChunkBytes=1023")).toBeUndefined();
    expect(of("uploadChunkBytes=16k")).toBeUndefined();
    expect(of("uploadChunkBytes=-4096")).toBeUndefined();
    expect(of("uploadChunkBytes=1e6")).toBeUndefined();
    expect(of("uploadChunkBytes=99999999999")).toBeUndefined();
  });
});

describe("pickerHint", () => {
  const base = { label: "Customer", text: "Zeph", shown: 0, more: false, failed: false };
  it("says a failed search failed, never that nothing matches", () => {
    expect(pickerHint({ ...base, failed: true })).toBe(
      'The search for "Zeph" failed on this device. Type again to retry.',
    );
    expect(pickerHint({ ...base, text: "", failed: true })).toBe(
      "The customer list couldn't be read on this device. Type to retry.",
    );
    expect(pickerHint({ ...base, shown: 20, more: true, failed: true })).toBe(
      "Couldn't read more on this device. Choose Show more to try again.",
    );
  });
  it("says what the list shows otherwise", () => {
    expect(pickerHint(base)).toBe('No customer starts with "Zeph".');
    expect(pickerHint({ ...base, text: "" })).toBe("No customer on this device yet.");
    expect(pickerHint({ ...base, shown: 1 })).toBe("1 match.");
    expect(pickerHint({ ...base, shown: 20, more: true })).toBe(
      "Showing 20 by name: type more to narrow, or choose Show more.",
    );
  });
});

describe("listRedraw", () => {
  afterEach(() => vi.useRealTimers());
  const setUp = () => {
    vi.useFakeTimers();
    let view = "work";
    const drawn: string[] = [];
    const redraw = listRedraw(
      () => drawn.push(view),
      () => view,
      150,
    );
    return { redraw, drawn, go: (to: string) => (view = to) };
  };

  it("makes one redraw of a burst of requests, after the delay", () => {
    const { redraw, drawn } = setUp();
    redraw.request("work");
    vi.advanceTimersByTime(100);
    redraw.request("work");
    vi.advanceTimersByTime(149);
    expect(drawn).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(drawn).toEqual(["work"]);
  });

  it("never redraws the screen the user went to after the request (a case, a form)", () => {
    const { redraw, drawn, go } = setUp();
    redraw.request("work");
    go("case");
    vi.advanceTimersByTime(1_000);
    expect(drawn).toEqual([]);
  });

  it("cancel() drops a waiting redraw, even if the user comes back before it would fire", () => {
    const { redraw, drawn, go } = setUp();
    redraw.request("work");
    go("case");
    redraw.cancel();
    go("work");
    vi.advanceTimersByTime(1_000);
    expect(drawn).toEqual([]);
  });
});
