import type { SyncStatus } from "@xrm-offline/webapi";
import type { LastSyncedMemory } from "../boot/last-synced.ts";
import { h, mount } from "./dom.ts";
import { plural, statusView } from "./status-view.ts";

export interface StatusBarDeps {
  readonly sync: { syncNow(): Promise<{ readonly pending: number; readonly failed: number }> };
  readonly lastSynced: LastSyncedMemory;
  /** The outbox count as stored right now (read after a local write, before the engine reports). */
  readonly pendingCount: () => Promise<number>;
}

export interface StatusBar {
  update(status: SyncStatus): void;
  /** A save just committed on this device: show it as waiting at once. */
  noteLocalWrite(): Promise<void>;
}

/**
 * The always-visible strip: connectivity, changes waiting, sync phase and progress, last sync,
 * sync errors (a link to their screen) and "Sync now" (disabled offline, with the reason).
 */
export function renderStatusBar(root: HTMLElement, deps: StatusBarDeps): StatusBar {
  const connectivity = h("span", { class: "pill", "data-testid": "connectivity" });
  const pending = h("strong", { "data-testid": "pending-count" }, "0");
  const failed = h("strong", { "data-testid": "failed-count" }, "0");
  const failedLink = h(
    "a",
    { href: "#/errors", "data-testid": "failed-link", class: "tap" },
    "Sync errors ",
    failed,
  );
  const phase = h("span", { "data-testid": "sync-phase" });
  const progress = h("progress", {
    max: 1,
    "data-testid": "sync-progress-bar",
    "aria-label": "Sync progress",
  });
  const progressText = h("span", { class: "muted", "data-testid": "sync-progress" });
  const lastSynced = h("span", { class: "muted", "data-testid": "last-synced" });
  const message = h("span", { class: "muted small", "data-testid": "sync-message", role: "status" });
  const blocked = h("span", {
    class: "muted small",
    id: "sync-now-reason",
    "data-testid": "sync-now-reason",
  });
  const syncNow = h("button", { type: "button", class: "primary", "data-testid": "sync-now" }, "Sync now");
  let latest: SyncStatus | undefined;
  let running = false;
  // A local write the engine has not reported yet: the stored outbox count, until status$ catches up.
  let override: { pending: number; lastSyncedAt: string | null } | null = null;

  const draw = () => {
    if (!latest) return;
    let status = latest;
    if (override) {
      // Caught up once the engine counts the change too, or a cycle has ended since (it was sent).
      const caughtUp = status.pending >= override.pending || status.lastSyncedAt !== override.lastSyncedAt;
      if (caughtUp) override = null;
      else status = { ...status, pending: override.pending };
    }
    const v = statusView(status, new Date(), deps.lastSynced.remember(status.lastSyncedAt));
    connectivity.textContent = v.connectivity === "online" ? "Online" : "Offline";
    connectivity.dataset.state = v.connectivity;
    pending.textContent = String(v.pending);
    failed.textContent = String(v.failed);
    failedLink.classList.toggle("alert", v.failed > 0);
    failedLink.hidden = v.failed === 0;
    phase.textContent = v.phaseLabel;
    phase.dataset.phase = v.phase;
    progressText.textContent = v.progressText;
    if (v.progressRatio === null) progress.removeAttribute("value");
    else progress.value = v.progressRatio;
    progress.hidden = v.progressText === "";
    lastSynced.textContent = v.lastSynced;
    syncNow.disabled = running || v.syncNowBlocked !== null;
    blocked.textContent = v.syncNowBlocked ?? "";
    blocked.hidden = v.syncNowBlocked === null;
    if (v.syncNowBlocked) syncNow.setAttribute("aria-describedby", "sync-now-reason");
    else syncNow.removeAttribute("aria-describedby");
    root.dataset.pending = String(v.pending);
  };

  syncNow.addEventListener("click", async () => {
    running = true;
    draw();
    message.textContent = "";
    delete message.dataset.pending;
    try {
      const report = await deps.sync.syncNow();
      message.textContent =
        report.pending > 0
          ? `${plural(report.pending, "change is", "changes are")} still waiting.`
          : report.failed > 0
            ? "Sent what could be sent. Some changes need attention (see Sync errors)."
            : "Everything is sent.";
      message.dataset.pending = String(report.pending);
    } catch {
      message.textContent =
        "Couldn't reach the server. Your changes are safe on this device; it will try again.";
      message.dataset.pending = "error";
    } finally {
      running = false;
      draw();
    }
  });
  mount(
    root,
    h(
      "div",
      { class: "status-row" },
      connectivity,
      h("span", { class: "pending" }, "Waiting to send ", pending),
      failedLink,
      syncNow,
    ),
    h("div", { class: "status-row" }, phase, progress, progressText, lastSynced, blocked, message),
  );
  return {
    update(status) {
      latest = status;
      draw();
    },
    async noteLocalWrite() {
      const count = await deps.pendingCount().catch(() => undefined);
      if (count === undefined || !latest || count <= latest.pending) return;
      override = { pending: count, lastSyncedAt: latest.lastSyncedAt };
      draw();
    },
  };
}
