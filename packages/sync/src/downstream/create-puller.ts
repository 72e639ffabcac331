/**
 * The download side of sync: pulls the offline profile's tables into the store, one table after
 * the other (sources before the tables their lookups point at). A table that fails keeps its
 * checkpoint and is resumed next time; the others still run, unless the server itself is out of
 * reach (then the rest waits for the next cycle too).
 */
import { xrmError } from "@xrm-offline/odata";
import type { OfflineProfile, TablePlan } from "./offline-profile.ts";
import type { PullProgress, PullRemote, PullReport, PullStore, TablePullReport } from "./pull-ports.ts";
import { MAX_PAGE_SIZE } from "./pull-requests.ts";
import { checkpointKey, PROFILE_KEY } from "./table-checkpoint.ts";
import { pullTable } from "./table-pull.ts";

export interface PullerOptions {
  readonly store: PullStore;
  readonly remote: PullRemote;
  readonly profile: OfflineProfile;
  /** Rows per page (`Prefer: odata.maxpagesize`), 1..5000. Default 2000. */
  readonly pageSize?: number;
  /** Ids per by-id request (scope checks, related rows), 1..200. Default 50. */
  readonly idChunk?: number;
}

export interface Puller {
  readonly profile: OfflineProfile;
  /**
   * Pulls every table of the profile. Resolves with what it did; rejects with the first table's
   * error when a table failed (after the others ran), or with the signal's reason when aborted.
   * Calls made while one runs wait for it.
   */
  pull(signal?: AbortSignal, onProgress?: (progress: PullProgress) => void): Promise<PullReport>;
  /**
   * Downloads a table (or every table) again on the next pull, replacing its rows; rows with
   * pending local changes keep them. Rejects for a table not in the profile.
   */
  resync(table?: string): Promise<void>;
  /** The report of the last pull that ran to its end, failed tables included. */
  readonly lastReport: PullReport | null;
}

function checkRange(name: string, value: number | undefined, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw xrmError("InvalidArgument", `${name} must be an integer from 1 to ${max}.`);
  }
  return v;
}

/** Tables sharing one lookup (source + value property) with `plan`: a polymorphic lookup's targets. */
function siblingsOf(profile: OfflineProfile, plan: TablePlan): TablePlan[] {
  return profile.tables.filter(
    (other) =>
      other !== plan &&
      other.relatedVia.some((a) =>
        plan.relatedVia.some((b) => a.source === b.source && a.valueProperty === b.valueProperty),
      ),
  );
}

/** Transient trouble with the server as a whole: no point pulling the next table now. */
function serverOutOfReach(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === true;
}

export function createPuller(options: PullerOptions): Puller {
  const pageSize = checkRange("pageSize", options.pageSize, 2000, MAX_PAGE_SIZE);
  const idChunk = checkRange("idChunk", options.idChunk, 50, 200);
  const { store, remote, profile } = options;
  const absent = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  let lastReport: PullReport | null = null;

  async function forgetDroppedTables(): Promise<void> {
    const previous = await store.getCheckpoint(PROFILE_KEY);
    const now = profile.tables.map((t) => t.entity);
    if (Array.isArray(previous)) {
      for (const table of previous) {
        if (typeof table !== "string" || profile.has(table)) continue;
        // No longer offline: its rows go (those with pending local changes stay until pushed).
        try {
          const ids = await store.recordIds(table);
          await store.applyServerRows(table, [], {
            removedIds: ids,
            checkpoint: { key: checkpointKey(table), value: null },
          });
        } catch {
          // A table gone from the metadata too: its rows can't be read or written any more.
          await store.setCheckpoint(checkpointKey(table), null);
        }
      }
    }
    if (JSON.stringify(previous) !== JSON.stringify(now)) await store.setCheckpoint(PROFILE_KEY, now);
  }

  async function run(signal: AbortSignal, onProgress: (p: PullProgress) => void): Promise<PullReport> {
    await forgetDroppedTables();
    const reports: TablePullReport[] = [];
    let firstError: unknown;
    for (const plan of profile.tables) {
      signal.throwIfAborted();
      const outcome = await pullTable(
        { store, remote, pageSize, idChunk, siblings: siblingsOf(profile, plan), absent, signal, onProgress },
        plan,
      );
      reports.push(outcome.report);
      if (outcome.error !== undefined) {
        firstError ??= outcome.error;
        if (serverOutOfReach(outcome.error)) break;
      }
    }
    const report: PullReport = {
      tables: reports,
      rows: reports.reduce((n, r) => n + r.rows, 0),
      removed: reports.reduce((n, r) => n + r.removed, 0),
      failed: reports.filter((r) => r.error !== undefined).length,
    };
    lastReport = report;
    if (firstError !== undefined) throw firstError;
    return report;
  }

  return {
    profile,
    get lastReport() {
      return lastReport;
    },
    pull(signal = new AbortController().signal, onProgress = () => {}) {
      const next = queue.then(() => run(signal, onProgress));
      queue = next.catch(() => {});
      return next;
    },
    async resync(table) {
      const tables = table === undefined ? profile.tables : [profile.table(table)];
      for (const plan of tables) {
        if (!plan)
          throw xrmError("InvalidArgument", `The table '${String(table)}' is not in the offline profile.`);
        // A scope no table has: the next pull sees a changed scope and downloads it again.
        await store.setCheckpoint(checkpointKey(plan.entity), {
          v: 1,
          scope: "",
          phase: "delta",
          link: "",
          token: null,
          sweep: true,
          kind: null,
          done: 0,
          total: null,
        });
      }
    },
  };
}
