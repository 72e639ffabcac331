import type { SyncStatus } from "@xrm-offline/webapi";
import type { AppSync } from "../boot/app-sync.ts";
import { errorOf, h, hexCode, mount } from "./dom.ts";
import { statusView } from "./status-view.ts";

export interface StatusBarDeps {
  readonly sync: AppSync;
  /** Write requests (POST/PATCH/DELETE, $batch included) this tab sent to the server. */
  readonly tabWrites: () => number;
}

/**
 * The always-visible strip: connectivity, pending changes, sync phase and progress, failures
 * (a link to the sync-errors view) and "Sync now".
 */
export function renderStatusBar(root: HTMLElement, deps: StatusBarDeps): (status: SyncStatus) => void {
  const connectivity = h("span", { class: "pill", "data-testid": "connectivity" });
  const pending = h("strong", { "data-testid": "pending-count" }, "0");
  const failed = h("strong", { "data-testid": "failed-count" }, "0");
  const phase = h("span", { "data-testid": "sync-phase" });
  const progress = h("progress", { max: 1, "data-testid": "sync-progress-bar" });
  const progressText = h("span", { class: "muted", "data-testid": "sync-progress" });
  const lastSynced = h("span", { class: "muted", "data-testid": "last-synced" });
  const tabWrites = h("span", { class: "muted small", "data-testid": "tab-writes-sent" }, "0");
  const message = h("span", { class: "muted small", "data-testid": "sync-message" });
  const syncNow = h("button", { type: "button", class: "primary", "data-testid": "sync-now" }, "Sync now");
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    message.textContent = "";
    try {
      const report = await deps.sync.syncNow();
      message.textContent = `Sent ${report.pushed}, ${report.pending} waiting`;
    } catch (e) {
      const err = errorOf(e);
      message.textContent = `${hexCode(err.errorCode)} ${err.message}`;
    } finally {
      syncNow.disabled = false;
    }
  });
  mount(
    root,
    h(
      "div",
      { class: "status-row" },
      connectivity,
      h("span", {}, "Pending ", pending),
      h("a", { href: "#/errors", "data-testid": "failed-link" }, "Sync errors ", failed),
      syncNow,
    ),
    h(
      "div",
      { class: "status-row" },
      phase,
      progress,
      progressText,
      lastSynced,
      message,
      h("span", { class: "small muted" }, "Sent from this tab: ", tabWrites),
    ),
  );
  return (status) => {
    const v = statusView(status);
    connectivity.textContent = v.connectivity === "online" ? "Online" : "Offline";
    connectivity.dataset.state = v.connectivity;
    pending.textContent = String(v.pending);
    failed.textContent = String(v.failed);
    failed.parentElement?.classList.toggle("alert", v.failed > 0);
    phase.textContent = v.phaseLabel;
    phase.dataset.phase = v.phase;
    progressText.textContent = v.progressText;
    if (v.progressRatio === null) progress.removeAttribute("value");
    else progress.value = v.progressRatio;
    progress.hidden = v.progressRatio === null;
    lastSynced.textContent = v.lastSynced;
    tabWrites.textContent = String(deps.tabWrites());
    root.dataset.pending = String(v.pending);
  };
}
