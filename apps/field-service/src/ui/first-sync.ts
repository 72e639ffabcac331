import { h, mount } from "./dom.ts";
import type { TableProgress } from "./first-sync-progress.ts";
import { tableLabel } from "./status-view.ts";

const STATE_WORDS = { waiting: "Waiting", downloading: "Downloading", done: "Ready" } as const;

/** The first-download card: each table by name, with rows done / expected. */
export function firstSyncCard(): { el: HTMLElement; show(rows: readonly TableProgress[]): void } {
  const list = h("ul", { class: "first-sync-list" });
  const el = h(
    "section",
    { class: "card first-sync", "data-testid": "first-sync", "aria-labelledby": "first-sync-heading" },
    h("h2", { id: "first-sync-heading" }, "Getting your data ready"),
    h(
      "p",
      { class: "muted" },
      "This first download happens once. Your cases and tasks come first: you can open them while customers and contacts are still arriving.",
    ),
    list,
  );
  return {
    el,
    show(rows) {
      mount(
        list,
        rows.map((r) =>
          h(
            "li",
            { "data-testid": "first-sync-table", "data-table": r.table, "data-state": r.state },
            h("span", { class: "title" }, tableLabel(r.table)),
            h(
              "span",
              { "data-testid": "first-sync-count" },
              r.total !== null ? `${r.done} of ${r.total}` : r.state === "waiting" ? "" : `${r.done}`,
            ),
            h("span", { class: "muted" }, STATE_WORDS[r.state]),
            r.total !== null
              ? h("progress", {
                  max: r.total,
                  value: r.done,
                  "aria-label": `${tableLabel(r.table)} downloaded`,
                })
              : null,
          ),
        ),
      );
    },
  };
}
