import type { SyncFailureView, SyncReport } from "@xrm-offline/webapi";
import type { ScenarioHost } from "./scenario-host.ts";

export interface LookupTargetDeletedScenario {
  /** The record the app's write points at; it exists on the server (and usually on the device). */
  readonly target: { readonly table: string; readonly id: string };
  /** App code that writes, offline, a record whose lookup points at the target. */
  readonly write: () => unknown;
}

export interface LookupTargetDeletedOutcome {
  /** What the app's write resolved with. */
  readonly written: unknown;
  readonly report: SyncReport;
  readonly failures: SyncFailureView[];
  /** The target is still on the device after the sync (the pull removes what the server deleted). */
  readonly targetOnDevice: boolean;
}

/**
 * "Lookup target deleted on the server while offline": the device is offline, the app writes a
 * record pointing at an existing record, another user deletes that record on the server, the
 * device syncs. The server refuses the write (the target does not exist); the harness shows what
 * the app sees: the failure kept like a Dataverse sync error.
 */
export async function lookupTargetDeletedScenario(
  h: ScenarioHost,
  s: LookupTargetDeletedScenario,
): Promise<LookupTargetDeletedOutcome> {
  h.goOffline();
  const written = await s.write();
  h.server.delete(s.target.table, s.target.id);
  h.goOnline();
  const report = await h.settle();
  return {
    written,
    report,
    failures: await h.failures(),
    targetOnDevice: (await h.local(s.target.table, s.target.id)) !== undefined,
  };
}
