import type { OfflineWebApi, SyncFailureView } from "@xrm-offline/webapi";
import type { AppSync } from "../boot/app-sync.ts";
import { h, hexCode, mount } from "./dom.ts";
import { explainFailure, nounOf, TITLE_COLUMNS } from "./failure-text.ts";

/** The record's name: from the change itself, else from this device's copy, else a neutral label. */
async function titleOf(api: OfflineWebApi, f: SyncFailureView): Promise<string> {
  const column = TITLE_COLUMNS[f.entity];
  const fromChange = column ? f.data[column] : undefined;
  if (typeof fromChange === "string" && fromChange.trim()) return fromChange;
  if (column) {
    try {
      const row = await api.offline.retrieveRecord(f.entity, f.recordId, `?$select=${column}`);
      const v = row[column];
      if (typeof v === "string" && v.trim()) return v;
    } catch {
      // Not on this device (any more): fall through.
    }
  }
  const noun = nounOf(f.entity);
  return `Untitled ${noun}`;
}

const ACTION_WORDS: Readonly<Record<SyncFailureView["action"], string>> = {
  Create: "New",
  Update: "Changed",
  Delete: "Deleted",
  Upload: "File for",
};

/** The sync-errors screen: each failure by the record's name, what happened, what each button does. */
export async function renderSyncErrors(
  root: HTMLElement,
  sync: AppSync,
  api: OfflineWebApi,
  notice?: { readonly text: string; readonly outcome: "ok" | "error" },
): Promise<void> {
  const note = h(
    "p",
    {
      class: "outcome",
      "data-testid": "failure-action-result",
      role: "status",
      "data-outcome": notice?.outcome,
    },
    notice?.text,
  );
  let failures: SyncFailureView[];
  try {
    failures = await sync.failures();
  } catch {
    mount(
      root,
      h(
        "p",
        { class: "error", "data-testid": "load-error" },
        "The list of sync errors couldn't be read on this device.",
      ),
    );
    return;
  }
  const titles = await Promise.all(failures.map((f) => titleOf(api, f)));
  const act = async (done: string, failed: string, run: () => Promise<unknown>) => {
    let outcome: { text: string; outcome: "ok" | "error" };
    try {
      await run();
      outcome = { text: done, outcome: "ok" };
    } catch {
      outcome = { text: failed, outcome: "error" };
    }
    await renderSyncErrors(root, sync, api, outcome);
    root.querySelector<HTMLElement>("h2")?.focus();
  };
  mount(
    root,
    h(
      "section",
      { class: "card" },
      h(
        "div",
        { class: "card-head" },
        h("h2", { tabindex: -1 }, "Sync errors"),
        h("a", { href: "#/", class: "tap" }, "← All work"),
      ),
      failures.length === 0
        ? h(
            "p",
            { class: "muted", "data-testid": "failures-empty" },
            "Nothing needs your attention. Every change was accepted.",
          )
        : h(
            "ul",
            { class: "failures", "data-testid": "failure-table" },
            failures.map((f, i) => {
              const text = explainFailure(f);
              const title = titles[i] ?? "";
              return h(
                "li",
                {
                  class: "failure",
                  "data-testid": "failure-row",
                  "data-failure-id": f.id,
                  "data-record-id": f.recordId,
                  "data-action": f.action,
                  "data-error-code": f.errorCode,
                },
                h(
                  "h3",
                  {},
                  h(
                    "span",
                    { class: "muted small", "data-testid": "failure-action" },
                    `${ACTION_WORDS[f.action]} ${nounOf(f.entity)}`,
                  ),
                  h("span", { class: "failure-title", "data-testid": "failure-record" }, title),
                ),
                h("p", { "data-testid": "failure-what" }, text.what),
                h(
                  "ul",
                  { class: "muted", "data-testid": "failure-buttons-help" },
                  h("li", {}, text.retry),
                  h("li", {}, text.discard),
                ),
                h(
                  "div",
                  { class: "actions" },
                  h(
                    "button",
                    {
                      type: "button",
                      "data-testid": "failure-retry",
                      "aria-label": `Retry: ${title}`,
                      onclick: () =>
                        act(`"${title}" will be sent again.`, `"${title}" couldn't be queued again.`, () =>
                          sync.retry(f.id),
                        ),
                    },
                    "Retry",
                  ),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "danger",
                      "data-testid": "failure-discard",
                      "aria-label": `Discard: ${title}`,
                      onclick: () =>
                        act(
                          `Your change to "${title}" was discarded.`,
                          `"${title}" couldn't be discarded.`,
                          () => sync.discard(f.id),
                        ),
                    },
                    "Discard",
                  ),
                ),
                h(
                  "details",
                  { "data-testid": "failure-details" },
                  h("summary", {}, "Details"),
                  h(
                    "dl",
                    {},
                    h("dt", {}, "Error code"),
                    h(
                      "dd",
                      { "data-testid": "failure-error", "data-error-code": f.errorCode },
                      h("code", {}, f.code || hexCode(f.errorCode)),
                    ),
                    h("dt", {}, "Server message"),
                    h("dd", {}, f.message),
                    h("dt", {}, "Record"),
                    h("dd", {}, h("code", {}, `${f.entity} ${f.recordId}`)),
                    h("dt", {}, "Attempts"),
                    h("dd", {}, String(f.attempts)),
                    h("dt", {}, "Failed at"),
                    h("dd", {}, new Date(f.time).toLocaleString()),
                  ),
                ),
              );
            }),
          ),
      note,
    ),
  );
}
