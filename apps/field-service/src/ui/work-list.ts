import type { OfflineWebApi } from "@xrm-offline/webapi";
import { h, mount } from "./dom.ts";
import {
  type CaseRow,
  LIST_PAGE,
  listCases,
  listTasks,
  type Page,
  priorityLabel,
  type TaskRow,
} from "./records.ts";

/**
 * How many rows each list shows. Kept by the caller while the technician stays on the work list:
 * a redraw after new data (every sync cycle's end) reads as many rows again, so the pages opened
 * with "Show more" don't fold back to the first under their finger.
 */
export interface WorkListView {
  cases: number;
  tasks: number;
}

/** A visit's first drawing: one page of each. */
export function freshWorkListView(): WorkListView {
  return { cases: LIST_PAGE, tasks: LIST_PAGE };
}

// Xrm.WebApi's largest page (maxPageSize): a redraw reads at most this many rows of a list at once.
const MAX_PAGE = 5000;

function caseItem(c: CaseRow): HTMLLIElement {
  return h(
    "li",
    { "data-testid": "case-item", "data-id": c.id },
    h(
      "a",
      { href: `#/case/${c.id}` },
      h("span", { class: `prio prio-${c.prioritycode ?? 0}` }, priorityLabel(c.prioritycode)),
      h("span", { class: "title", "data-testid": "case-item-title" }, c.title || "Untitled case"),
      h(
        "span",
        { class: "muted" },
        c.customerName ?? (c.customerId ? "Customer not on this device yet" : "No customer"),
      ),
    ),
  );
}

function taskItem(t: TaskRow, caseTitles: Map<string, string>): HTMLLIElement {
  const regarding = t.regardingId
    ? (caseTitles.get(t.regardingId.toLowerCase()) ?? t.regardingName ?? "")
    : "";
  const content = [
    h("span", { class: "title", "data-testid": "task-item-subject" }, t.subject || "Untitled task"),
    h("span", { class: "muted" }, regarding),
  ];
  return h(
    "li",
    { "data-testid": "task-item", "data-id": t.id },
    t.regardingId && caseTitles.has(t.regardingId.toLowerCase())
      ? h("a", { href: `#/case/${t.regardingId.toLowerCase()}` }, content)
      : h("div", { class: "row" }, content),
  );
}

/**
 * A list that grows a page at a time: the store returns `LIST_PAGE` rows and a nextLink, so
 * opening the list costs the same with 20 or 20,000 rows.
 */
function pagedList<T>(
  testId: string,
  first: Page<T>,
  more: (next: string) => Promise<Page<T>>,
  item: (row: T) => HTMLLIElement,
  onRows: (rows: readonly T[], shown: number) => void,
): HTMLElement {
  const list = h("ul", { class: "list", "data-testid": testId });
  const button = h("button", { type: "button", "data-testid": `${testId}-more`, class: "more" }, "Show more");
  let next = first.next;
  const add = (rows: readonly T[]) => {
    list.append(...rows.map(item));
    onRows(rows, list.children.length);
    button.hidden = next === null;
  };
  button.addEventListener("click", async () => {
    if (!next) return;
    button.disabled = true;
    try {
      const page = await more(next);
      next = page.next;
      add(page.rows);
    } finally {
      button.disabled = false;
    }
  });
  add(first.rows);
  return h("div", {}, list, button);
}

/**
 * A selector for the focused element inside `root` that finds it again in a redrawn copy: a row's
 * link by the row's id, anything else by its test id (the "Show more" buttons).
 */
function focusSelector(root: HTMLElement): string | null {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement) || !root.contains(el)) return null;
  const row = el.closest<HTMLElement>("li[data-id]");
  if (row?.dataset.testid && row.dataset.id)
    return `li[data-testid="${row.dataset.testid}"][data-id="${CSS.escape(row.dataset.id)}"] ${el.tagName}`;
  return el.dataset.testid ? `[data-testid="${CSS.escape(el.dataset.testid)}"]` : null;
}

/** The technician's day: open cases and tasks, read from the local store page by page. */
export async function renderWorkList(
  root: HTMLElement,
  api: OfflineWebApi,
  view: WorkListView,
  firstSync?: HTMLElement,
): Promise<void> {
  let cases: Page<CaseRow>;
  let tasks: Page<TaskRow>;
  const size = (n: number) => Math.min(Math.max(n, LIST_PAGE), MAX_PAGE);
  try {
    [cases, tasks] = await Promise.all([
      listCases(api, undefined, size(view.cases)),
      listTasks(api, undefined, undefined, size(view.tasks)),
    ]);
  } catch {
    mount(
      root,
      h(
        "p",
        { class: "error", "data-testid": "load-error" },
        "Your work couldn't be read on this device. Reload the page to try again.",
      ),
    );
    return;
  }
  const caseTitles = new Map<string, string>();
  const noteCases = (rows: readonly CaseRow[]) => {
    for (const c of rows) caseTitles.set(c.id.toLowerCase(), c.title);
  };
  noteCases(cases.rows);
  const casesLoaded = h("span", { class: "count", "data-testid": "case-count" });
  const tasksLoaded = h("span", { class: "count", "data-testid": "task-count" });
  const showCount = (el: HTMLElement, list: HTMLElement) => () => {
    const n = list.querySelectorAll("li").length;
    const more = !(list.querySelector("button.more") as HTMLButtonElement | null)?.hidden;
    el.textContent = more ? `${n}+` : String(n);
  };
  const caseList = pagedList(
    "case-list",
    cases,
    (n) => listCases(api, n),
    caseItem,
    (rows, shown) => {
      noteCases(rows);
      view.cases = shown;
    },
  );
  const taskList = pagedList(
    "task-list",
    tasks,
    (n) => listTasks(api, n),
    (t) => taskItem(t, caseTitles),
    (_, shown) => {
      view.tasks = shown;
    },
  );
  const countCases = showCount(casesLoaded, caseList);
  const countTasks = showCount(tasksLoaded, taskList);
  caseList.addEventListener("click", () => queueMicrotask(countCases));
  taskList.addEventListener("click", () => queueMicrotask(countTasks));
  new MutationObserver(countCases).observe(caseList, { childList: true, subtree: true, attributes: true });
  new MutationObserver(countTasks).observe(taskList, { childList: true, subtree: true, attributes: true });
  countCases();
  countTasks();
  // A redraw replaces the lists: the focus goes back where it was, or a keyboard user would be
  // thrown to the top of the page by a sync they didn't start.
  const focused = focusSelector(root);
  mount(
    root,
    firstSync,
    h(
      "section",
      { class: "card", "aria-labelledby": "cases-heading" },
      h(
        "div",
        { class: "card-head" },
        h("h2", { id: "cases-heading" }, "Open cases ", casesLoaded),
        h("a", { class: "button", href: "#/new", "data-testid": "new-case" }, "New case"),
      ),
      cases.rows.length === 0
        ? h(
            "p",
            { class: "muted", "data-testid": "case-list-empty" },
            firstSync ? "Your cases are on their way." : "No open cases.",
          )
        : caseList,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "tasks-heading" },
      h("h2", { id: "tasks-heading" }, "Tasks ", tasksLoaded),
      tasks.rows.length === 0
        ? h("p", { class: "muted", "data-testid": "task-list-empty" }, "No open tasks.")
        : taskList,
    ),
  );
  if (focused) root.querySelector<HTMLElement>(focused)?.focus({ preventScroll: true });
}
