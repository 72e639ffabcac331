import type { SyncStatus } from "@xrm-offline/webapi";

/** What the status bar shows, computed from `sync.status$` (pure, so it is tested on its own). */
export interface StatusView {
  readonly connectivity: "online" | "offline";
  readonly pending: number;
  readonly failed: number;
  readonly phase: SyncStatus["phase"];
  readonly phaseLabel: string;
  /** "120 / 300" while pushing, "" otherwise. */
  readonly progressText: string;
  /** 0..1 while pushing, null otherwise. */
  readonly progressRatio: number | null;
  readonly lastSynced: string;
}

const PHASE_LABELS: Readonly<Record<SyncStatus["phase"], string>> = {
  idle: "Up to date",
  pushing: "Sending changes",
  pulling: "Refreshing data",
  "backing-off": "Waiting to retry",
  error: "Sync error",
};

export function statusView(status: SyncStatus, now: Date = new Date()): StatusView {
  const p = status.progress;
  const ratio = p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
  const idleLabel =
    status.connectivity === "offline"
      ? status.pending > 0
        ? "Waiting for the network"
        : "Working offline"
      : status.pending > 0
        ? "Changes waiting"
        : status.failed > 0
          ? "Needs attention"
          : PHASE_LABELS.idle;
  return {
    connectivity: status.connectivity,
    pending: status.pending,
    failed: status.failed,
    phase: status.phase,
    phaseLabel: status.phase === "idle" ? idleLabel : PHASE_LABELS[status.phase],
    progressText: p ? `${p.done} / ${p.total}` : "",
    progressRatio: ratio,
    lastSynced: status.lastSyncedAt
      ? `Synced ${relativeTime(new Date(status.lastSyncedAt), now)}`
      : "Never synced",
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
