import type { OfflineWebApi } from "@xrm-offline/webapi";
import { errorOf, h, hexCode, mount } from "./dom.ts";
import { listAccounts, listCases, listTasks, nameMap, nameOf, priorityLabel } from "./records.ts";

/** The technician's day: open cases and tasks, read from the local store. */
export async function renderWorkList(root: HTMLElement, api: OfflineWebApi): Promise<void> {
  try {
    const [cases, tasks, accounts] = await Promise.all([listCases(api), listTasks(api), listAccounts(api)]);
    const accountNames = nameMap(accounts);
    const caseTitles = new Map(cases.map((c) => [c.id.toLowerCase(), c.title]));
    const regarding = (id: string | null) =>
      id ? (caseTitles.get(id.toLowerCase()) ?? accountNames.get(id.toLowerCase()) ?? "—") : "—";
    mount(
      root,
      h(
        "section",
        { class: "card" },
        h(
          "div",
          { class: "card-head" },
          h(
            "h2",
            {},
            "Open cases ",
            h("span", { class: "count", "data-testid": "case-count" }, cases.length),
          ),
          h("a", { class: "button", href: "#/new", "data-testid": "new-case" }, "New case"),
        ),
        cases.length === 0
          ? h(
              "p",
              { class: "muted", "data-testid": "case-list-empty" },
              "No cases yet. They appear after the first sync.",
            )
          : h(
              "ul",
              { class: "list", "data-testid": "case-list" },
              cases.map((c) =>
                h(
                  "li",
                  { "data-testid": "case-item", "data-id": c.id },
                  h(
                    "a",
                    { href: `#/case/${c.id}` },
                    h("span", { class: `prio prio-${c.prioritycode ?? 0}` }, priorityLabel(c.prioritycode)),
                    h("span", { class: "title", "data-testid": "case-item-title" }, c.title),
                    h("span", { class: "muted" }, nameOf(accountNames, c.customerId)),
                  ),
                ),
              ),
            ),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Tasks ", h("span", { class: "count", "data-testid": "task-count" }, tasks.length)),
        h(
          "ul",
          { class: "list", "data-testid": "task-list" },
          tasks.map((t) =>
            h(
              "li",
              { "data-testid": "task-item", "data-id": t.id },
              h("span", { class: "title", "data-testid": "task-item-subject" }, t.subject),
              h("span", { class: "muted" }, regarding(t.regardingId)),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    const err = errorOf(e);
    mount(
      root,
      h("p", { class: "error", "data-testid": "load-error" }, `${hexCode(err.errorCode)} ${err.message}`),
    );
  }
}
