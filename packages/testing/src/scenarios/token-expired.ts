import type { RequestLogEntry } from "@xrm-offline/emulator";
import { xrmError } from "@xrm-offline/odata";
import type { SyncFailureView, SyncReport } from "@xrm-offline/webapi";
import type { ScenarioHost } from "./scenario-host.ts";

export interface TokenExpiredScenario {
  /** App code run offline whose changes the sync carries. */
  readonly write: () => unknown;
  /** Requests of the sync that still get a good token before it runs out (default 0: the first one fails). */
  readonly afterRequests?: number;
}

export interface TokenExpiredOutcome {
  readonly report: SyncReport;
  readonly failures: SyncFailureView[];
  /** Requests the server answered 401 during the sync. */
  readonly unauthorized: number;
  /** Token provider calls during the sync (`forceRefresh` marks the refresh after a 401). */
  readonly tokenCalls: readonly { readonly forceRefresh: boolean; readonly stale: boolean }[];
  /** Every request of the sync, in order. */
  readonly requests: readonly RequestLogEntry[];
}

/**
 * "Token expired during sync": needs a harness started with `auth`. The app works offline, the
 * access token runs out, the device reconnects. The server answers 401 to the stale token; the
 * client asks for a fresh one (`forceRefresh`) and sends again; nothing is lost or sent twice.
 */
export async function tokenExpiredScenario(
  h: ScenarioHost,
  s: TokenExpiredScenario,
): Promise<TokenExpiredOutcome> {
  const tokens = h.tokens;
  if (!tokens) {
    throw xrmError("InvalidArgument", "tokenExpiredScenario needs a harness started with { auth: true }.");
  }
  h.goOffline();
  await s.write();
  const callsBefore = tokens.calls.length;
  const seqBefore = h.server.requestLog.total;
  tokens.expire({ afterCalls: s.afterRequests ?? 0 });
  h.goOnline();
  const report = await h.settle();
  const requests = h.server.requestLog.entries((e) => e.seq > seqBefore);
  return {
    report,
    failures: await h.failures(),
    unauthorized: requests.filter((e) => e.status === 401).length,
    tokenCalls: tokens.calls.slice(callsBefore),
    requests,
  };
}
