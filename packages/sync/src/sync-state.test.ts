import { describe, expect, it } from "vitest";
import { type EngineAction, initialState, reduce, toStatus } from "./sync-state.ts";

const run = (...actions: EngineAction[]) => actions.reduce(reduce, initialState);

describe("sync state reducer", () => {
  it("tracks a push's progress, growing the total when writes arrive mid-push", () => {
    const s = run(
      { type: "started" },
      { type: "connectivity", online: true },
      { type: "push-started", pending: 4 },
      { type: "push-progress", settled: 2, pending: 3, failed: 0 },
    );
    expect(toStatus(s)).toMatchObject({ phase: "pushing", pending: 3, progress: { done: 2, total: 5 } });
  });

  it("ends a cycle in backing-off or idle, keeping lastSyncedAt from the last clean cycle", () => {
    const clean = run(
      { type: "started" },
      { type: "cycle-ended", syncedAt: "2024-01-01T00:00:00.000Z", error: null, waitUntil: null },
    );
    const waiting = reduce(clean, {
      type: "cycle-ended",
      syncedAt: null,
      error: { errorCode: 1, message: "m" },
      waitUntil: 99,
    });
    expect(toStatus(waiting)).toMatchObject({
      phase: "backing-off",
      lastSyncedAt: "2024-01-01T00:00:00.000Z",
      lastError: { errorCode: 1, message: "m" },
      progress: null,
    });
    // Offline, a retry timer means nothing.
    expect(toStatus(reduce(waiting, { type: "connectivity", online: false }))).toMatchObject({
      connectivity: "offline",
      phase: "idle",
    });
  });

  it("shows a local failure as phase error, and a stopped engine as idle", () => {
    const failed = run(
      { type: "started" },
      { type: "cycle-failed", error: { errorCode: 2, message: "idb" } },
    );
    expect(toStatus(failed)).toMatchObject({ phase: "error", lastError: { errorCode: 2, message: "idb" } });
    expect(toStatus(reduce(failed, { type: "stopped" })).phase).toBe("idle");
  });
});
