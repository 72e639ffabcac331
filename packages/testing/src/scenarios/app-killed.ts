import type { RequestLogEntry } from "@xrm-offline/emulator";
import { xrmError } from "@xrm-offline/odata";
import type { SyncFailureView, SyncReport } from "@xrm-offline/webapi";
import type { ScenarioHost } from "./scenario-host.ts";
import { waitFor } from "./wait-for.ts";

export interface AppKilledScenario {
  /** App code run offline whose changes the interrupted sync carries. */
  readonly write: () => unknown;
  /** The app dies while the n-th write request (1-based) of the sync is on the server. Default 1. */
  readonly killAtRequest?: number;
  /** How slow the server is during the interrupted sync, ms per request. Default 150. */
  readonly latencyMs?: number;
}

export interface AppKilledOutcome {
  /** The write request that was on the server when the app died. */
  readonly killedDuring: RequestLogEntry;
  /** Changes the reopened app still had queued. */
  readonly pendingAfterRestart: number;
  /** The sync of the reopened app. */
  readonly report: SyncReport;
  readonly failures: SyncFailureView[];
  /** Every write request the server received, before and after the restart. */
  readonly writeRequests: readonly RequestLogEntry[];
}

const isWrite = (e: RequestLogEntry) => e.method !== "GET";

/**
 * "App killed mid-sync": the app works offline, the network comes back, and while a write request
 * is on a slowed server the app is closed (the request is cut off on the device's side; the server
 * still finishes it). The app is opened again on the same device database and syncs. Whatever the
 * server had already applied must not be applied twice: creates carry their id, and a create the
 * server already has is taken as done.
 */
export async function appKilledScenario(h: ScenarioHost, s: AppKilledScenario): Promise<AppKilledOutcome> {
  const killAt = s.killAtRequest ?? 1;
  const latencyMs = s.latencyMs ?? 150;
  if (!Number.isInteger(killAt) || killAt < 1) {
    throw xrmError("InvalidArgument", "appKilledScenario: killAtRequest must be a whole number ≥ 1.");
  }
  if (!(Number.isFinite(latencyMs) && latencyMs >= 10 && latencyMs <= 60_000)) {
    throw xrmError("InvalidArgument", "appKilledScenario: latencyMs must be from 10 to 60000.");
  }
  h.goOffline();
  await s.write();
  const seqBefore = h.server.requestLog.total;
  const previousLatency = h.server.faults.options.latencyMs;
  const writes = () => h.server.requestLog.entries((e) => e.seq > seqBefore && isWrite(e));
  let killedDuring: RequestLogEntry | undefined;
  h.server.faults.update({ latencyMs });
  try {
    h.goOnline();
    await waitFor(() => writes().length >= killAt, `write request #${killAt} of the sync`);
    killedDuring = writes()[killAt - 1];
    await h.restartApp({
      whileClosed: async () => {
        // The device is gone; the server finishes what it was doing.
        h.goOffline();
        await waitFor(
          () => writes().every((e) => e.status !== 0 || e.durationMs > 0 || e.fault !== undefined),
          "the server to finish the requests of the killed app",
        );
        h.server.faults.update({ latencyMs: previousLatency });
      },
    });
  } finally {
    h.server.faults.update({ latencyMs: previousLatency });
  }
  const pendingAfterRestart = await h.pending();
  h.goOnline();
  const report = await h.settle();
  return {
    killedDuring: killedDuring as RequestLogEntry,
    pendingAfterRestart,
    report,
    failures: await h.failures(),
    writeRequests: writes(),
  };
}
