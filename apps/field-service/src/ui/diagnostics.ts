import type { SyncFailureView, SyncStatus } from "@xrm-offline/webapi";
import type { AppSync } from "../boot/app-sync.ts";
import { h, hexCode, mount } from "./dom.ts";
import { TITLE_COLUMNS } from "./failure-text.ts";
import { inspectStore, type StoreSnapshot } from "./inspect-store.ts";
import { relativeTime, tableLabel } from "./status-view.ts";

export interface DiagnosticsDeps {
  readonly sync: AppSync;
  readonly databaseName: string;
  readonly tables: readonly string[];
  readonly status: () => SyncStatus | undefined;
  readonly lastSyncedAt: () => string | null;
  /** Write requests this tab sent (the rest went from another tab, the sync worker or the service worker). */
  readonly tabWrites: () => number;
}

function bytes(n: number | undefined): string {
  if (n === undefined) return "unknown";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function table(
  testId: string,
  head: readonly string[],
  rows: readonly (readonly (Node | string)[])[],
): HTMLElement {
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { "data-testid": testId },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h(
            "tr",
            { "data-testid": `${testId}-row` },
            r.map((c) => h("td", {}, c)),
          ),
        ),
      ),
    ),
  );
}

/**
 * The sync inspector, for support and developers: what waits in the outbox, what failed and why
 * (with codes), where each table's download stands, when the last sync was, and how much the
 * browser lets the app keep.
 */
export async function renderDiagnostics(root: HTMLElement, deps: DiagnosticsDeps): Promise<void> {
  const [snapshot, failures, estimate, persisted] = await Promise.all([
    inspectStore(deps.databaseName, deps.tables, TITLE_COLUMNS).catch((): StoreSnapshot | null => null),
    deps.sync.failures().catch((): SyncFailureView[] => []),
    navigator.storage?.estimate?.().catch(() => undefined) ?? Promise.resolve(undefined),
    navigator.storage?.persisted?.().catch(() => false) ?? Promise.resolve(false),
  ]);
  const status = deps.status();
  const last = deps.lastSyncedAt();
  const persistNote = h("span", { "data-testid": "diag-persist-result", role: "status" });
  const persistButton = h("button", { type: "button", "data-testid": "diag-persist" }, "Ask to keep data");
  persistButton.addEventListener("click", async () => {
    const granted = await navigator.storage?.persist?.().catch(() => false);
    persistNote.textContent = granted
      ? "The browser will keep this app's data."
      : "The browser said no (it decides from how the app is used).";
  });
  mount(
    root,
    h(
      "section",
      { class: "card diagnostics", "data-testid": "diagnostics" },
      h(
        "div",
        { class: "card-head" },
        h("h2", {}, "Diagnostics"),
        h("a", { href: "#/", class: "tap" }, "← All work"),
      ),
      h("p", { class: "muted" }, "For support: what this device holds and what it still has to send."),
      h("h3", {}, "Sync"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Last synced"),
        h(
          "dd",
          { "data-testid": "diag-last-synced", "data-value": last ?? "" },
          last ? `${new Date(last).toLocaleString()} (${relativeTime(new Date(last), new Date())})` : "Never",
        ),
        h("dt", {}, "Connection"),
        h("dd", {}, status?.connectivity ?? "unknown"),
        h("dt", {}, "Phase"),
        h("dd", {}, status?.phase ?? "unknown"),
        h("dt", {}, "Engine runs in"),
        h("dd", {}, deps.sync.mode === "worker" ? "a dedicated worker" : "this page"),
        h("dt", {}, "Write requests from this tab"),
        h("dd", { "data-testid": "tab-writes-sent" }, String(deps.tabWrites())),
        h("dt", {}, "Last error"),
        h(
          "dd",
          {},
          status?.lastError ? `${hexCode(status.lastError.errorCode)} ${status.lastError.message}` : "none",
        ),
      ),
      h(
        "h3",
        {},
        "Outbox ",
        h("span", { class: "count", "data-testid": "diag-outbox-count" }, String(snapshot?.outboxTotal ?? 0)),
      ),
      !snapshot || snapshot.outbox.length === 0
        ? h("p", { class: "muted", "data-testid": "diag-outbox-empty" }, "Nothing waiting.")
        : table(
            "diag-outbox",
            ["#", "Change", "Record", "Attempts", "Made", "Last error"],
            snapshot.outbox.map((o) => [
              String(o.seq),
              `${o.kind} ${o.entity}`,
              h(
                "span",
                { "data-record-id": o.recordId },
                o.title ?? "",
                " ",
                h("code", { class: "small" }, o.recordId),
              ),
              String(o.attempts),
              o.createdAt ? new Date(o.createdAt).toLocaleTimeString() : "",
              o.lastError ?? "",
            ]),
          ),
      h(
        "h3",
        {},
        "Failures ",
        h("span", { class: "count", "data-testid": "diag-failure-count" }, String(failures.length)),
      ),
      failures.length === 0
        ? h("p", { class: "muted" }, "None.")
        : table(
            "diag-failures",
            ["Change", "Record", "Code", "Message", "Attempts"],
            failures.map((f) => [
              `${f.action} ${f.entity}`,
              h("code", { class: "small", "data-testid": "diag-failure-record" }, f.recordId),
              h(
                "code",
                { "data-testid": "diag-failure-code", "data-error-code": String(f.errorCode) },
                f.code || hexCode(f.errorCode),
              ),
              f.message,
              String(f.attempts),
            ]),
          ),
      h("h3", {}, "Tables on this device"),
      table(
        "diag-tables",
        ["Table", "Rows", "Download", "Checkpoint saved"],
        (snapshot?.tables ?? []).map((t) => [
          h("span", { "data-table": t.table }, `${tableLabel(t.table)} (${t.table})`),
          h(
            "span",
            { "data-testid": "diag-table-rows", "data-table": t.table },
            t.rows === null ? "?" : String(t.rows),
          ),
          h(
            "span",
            { "data-testid": "diag-table-checkpoint", "data-table": t.table, "data-phase": t.phase ?? "" },
            t.phase === null
              ? "not started"
              : `${t.phase}${t.total !== null ? `, ${t.done ?? 0} of ${t.total}` : ""}`,
          ),
          h(
            "span",
            { "data-testid": "diag-table-saved", "data-table": t.table, "data-value": t.savedAt ?? "" },
            t.savedAt ? new Date(t.savedAt).toLocaleString() : "",
          ),
        ]),
      ),
      h("h3", {}, "Storage"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Used"),
        h(
          "dd",
          { "data-testid": "diag-storage-usage", "data-value": String(estimate?.usage ?? "") },
          bytes(estimate?.usage),
        ),
        h("dt", {}, "Available to the app"),
        h("dd", { "data-testid": "diag-storage-quota" }, bytes(estimate?.quota)),
        h("dt", {}, "Kept when space runs low"),
        h(
          "dd",
          { "data-testid": "diag-persisted", "data-value": String(persisted) },
          persisted ? "Yes (persistent storage)" : "No (the browser may clear it)",
        ),
      ),
      h("div", { class: "actions" }, persistButton, persistNote),
    ),
  );
}
