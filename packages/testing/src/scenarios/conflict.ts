import { xrmError } from "@xrm-offline/odata";
import type { SyncFailureView, SyncReport } from "@xrm-offline/webapi";
import type { ScenarioHost } from "./scenario-host.ts";
import { idOf } from "./wait-for.ts";

export interface ConflictScenario {
  /** The table of the record. */
  readonly table: string;
  /** App code that creates the record on the device (runs offline); resolves with its id or `{ id }`. */
  readonly create: () => unknown;
  /** What another user changes on the server after the create reached it. */
  readonly serverChange: Readonly<Record<string, unknown>>;
  /** App code that changes the same record on the device (runs offline, after the server change). */
  readonly deviceChange: (id: string) => unknown;
}

export interface ConflictOutcome {
  readonly id: string;
  /** The sync that carried the device's change. */
  readonly report: SyncReport;
  /** The server's row after that sync. */
  readonly server: Record<string, unknown> | undefined;
  /** The device's copy after that sync. */
  readonly local: Record<string, unknown> | undefined;
  readonly failures: SyncFailureView[];
}

/**
 * "Created offline, then updated on the server before the device synced its own edit":
 * offline create → sync (the server has the record) → another user edits it on the server while
 * the device, offline again, edits it too → sync. Without conflict detection the device's columns
 * win and the server's other columns stay (Dataverse's default); with it the server wins and the
 * device's change is kept as a conflict failure (errorType 0).
 */
export async function conflictScenario(h: ScenarioHost, s: ConflictScenario): Promise<ConflictOutcome> {
  h.goOffline();
  const id = idOf(await s.create(), "create");
  h.goOnline();
  const first = await h.settle();
  if (first.pending !== 0 || (await h.failures()).length > 0) {
    throw xrmError(
      "UnexpectedError",
      `conflictScenario: the create of ${s.table} ${id} did not reach the server.`,
    );
  }
  h.goOffline();
  h.server.update(s.table, id, { ...s.serverChange });
  await s.deviceChange(id);
  h.goOnline();
  const report = await h.settle();
  return {
    id,
    report,
    server: h.server.row(s.table, id),
    local: await h.local(s.table, id),
    failures: await h.failures(),
  };
}
