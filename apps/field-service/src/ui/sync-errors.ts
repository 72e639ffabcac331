import type { SyncFailureView } from "@xrm-offline/webapi";
import type { AppSync } from "../boot/app-sync.ts";
import { errorOf, h, hexCode, mount } from "./dom.ts";

/** The sync-errors view: every kept failure (action, record, error) with retry and discard. */
export async function renderSyncErrors(root: HTMLElement, sync: AppSync): Promise<void> {
  const note = h("p", { class: "outcome", "data-testid": "failure-action-result", role: "status" });
  let failures: SyncFailureView[];
  try {
    failures = await sync.failures();
  } catch (e) {
    const err = errorOf(e);
    mount(
      root,
      h("p", { class: "error", "data-testid": "load-error" }, `${hexCode(err.errorCode)} ${err.message}`),
    );
    return;
  }
  const act = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
      note.textContent = label;
    } catch (e) {
      const err = errorOf(e);
      note.textContent = `${hexCode(err.errorCode)} ${err.message}`;
    }
    await renderSyncErrors(root, sync);
  };
  mount(
    root,
    h(
      "section",
      { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Sync errors"), h("a", { href: "#/" }, "← All work")),
      failures.length === 0
        ? h("p", { class: "muted", "data-testid": "failures-empty" }, "No sync errors.")
        : h(
            "table",
            { class: "failures", "data-testid": "failure-table" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, "Action"),
                h("th", {}, "Record"),
                h("th", {}, "Error"),
                h("th", {}, ""),
              ),
            ),
            h(
              "tbody",
              {},
              failures.map((f) =>
                h(
                  "tr",
                  { "data-testid": "failure-row", "data-failure-id": f.id, "data-record-id": f.recordId },
                  h("td", { "data-testid": "failure-action" }, f.action),
                  h("td", { "data-testid": "failure-record" }, `${f.entity} ${f.recordId}`),
                  h(
                    "td",
                    { "data-testid": "failure-error", "data-error-code": f.errorCode },
                    h("code", {}, f.code || hexCode(f.errorCode)),
                    " ",
                    f.message,
                  ),
                  h(
                    "td",
                    { class: "actions" },
                    h(
                      "button",
                      {
                        type: "button",
                        "data-testid": "failure-retry",
                        onclick: () => act("Queued again", () => sync.retry(f.id)),
                      },
                      "Retry",
                    ),
                    h(
                      "button",
                      {
                        type: "button",
                        class: "danger",
                        "data-testid": "failure-discard",
                        onclick: () => act("Discarded", () => sync.discard(f.id)),
                      },
                      "Discard",
                    ),
                  ),
                ),
              ),
            ),
          ),
      note,
    ),
  );
}
