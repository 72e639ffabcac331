import type { SyncStatus } from "@xrm-offline/webapi";

/** What the status bar shows, computed from `sync.status$` (pure, so it is tested on its own). */
export interface StatusView {
  readonly connectivity: "online" | "offline";
  readonly pending: number;
  readonly failed: number;
  readonly phase: SyncStatus["phase"];
  readonly phaseLabel: string;
  /** "Cases: 120 of 300" while pulling, "120 of 300" while sending, "" otherwise. */
  readonly progressText: string;
  /** 0..1 while a total is known, null otherwise. */
  readonly progressRatio: number | null;
  readonly lastSynced: string;
  /** Why "Sync now" can't be used right now, or null when it can. */
  readonly syncNowBlocked: string | null;
}

const PHASE_LABELS: Readonly<Record<SyncStatus["phase"], string>> = {
  idle: "Up to date",
  pushing: "Sending changes",
  pulling: "Getting the latest data",
  "backing-off": "Waiting to retry",
  error: "Sync error",
};

/** The tables a technician sees, in words. */
export const TABLE_LABELS: Readonly<Record<string, string>> = {
  incident: "Cases",
  task: "Tasks",
  account: "Customers",
  contact: "Contacts",
  annotation: "Notes and photos",
};

export function tableLabel(table: string): string {
  return TABLE_LABELS[table] ?? table;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

type Progress = { readonly done: number; readonly total: number; readonly table?: string } | null;

export function statusView(
  status: SyncStatus,
  now: Date = new Date(),
  /** The last sync time remembered across reloads (see boot/last-synced.ts). */
  lastSyncedAt: string | null = status.lastSyncedAt,
): StatusView {
  const p = status.progress as Progress;
  const ratio =
    p && p.total > 0 && p.total !== p.done ? Math.min(1, p.done / p.total) : p && p.total > 0 ? 1 : null;
  const offline = status.connectivity === "offline";
  const idleLabel = offline
    ? status.pending > 0
      ? "Waiting for the network"
      : "Working offline"
    : status.pending > 0
      ? "Changes waiting"
      : status.failed > 0
        ? "Needs attention"
        : PHASE_LABELS.idle;
  let progressText = "";
  if (p && status.phase === "pulling") {
    const name = p.table ? `${tableLabel(p.table)}: ` : "";
    progressText = p.total > p.done ? `${name}${p.done} of ${p.total}` : `${name}${p.done}`;
  } else if (p) progressText = `${p.done} of ${p.total}`;
  return {
    connectivity: status.connectivity,
    pending: status.pending,
    failed: status.failed,
    phase: status.phase,
    // Offline, "waiting to retry" or "sync error" would only say the network is gone, less clearly.
    phaseLabel:
      status.phase === "idle" || (offline && status.phase !== "pushing" && status.phase !== "pulling")
        ? idleLabel
        : PHASE_LABELS[status.phase],
    progressText,
    progressRatio: p ? ratio : null,
    lastSynced: lastSyncedAt ? `Last synced ${relativeTime(new Date(lastSyncedAt), now)}` : "Never synced",
    syncNowBlocked: offline
      ? "You are offline. Changes are kept on this device and sent when the network is back."
      : null,
  };
}

/** "just now", "5 min ago", "2 h ago", or a date. */
export function relativeTime(then: Date, now: Date): string {
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  if (!Number.isFinite(s)) return "at an unknown time";
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return then.toISOString().slice(0, 10);
}
