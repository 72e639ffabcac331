import { h } from "./dom.ts";
import { pickerHint } from "./picker-hint.ts";
import type { NamedRow, Page } from "./records.ts";

/** How many matches a picker lists at once: type more to narrow. */
export const PICKER_PAGE = 20;

export interface RecordPickerOptions {
  readonly testId: string;
  readonly label: string;
  /**
   * A page of `pageSize` rows whose name starts with `text` (any rows for ""), in name order;
   * `next` (a previous page's `next`) asks for the page after it.
   */
  readonly search: (text: string, pageSize: number, next?: string) => Promise<Page<NamedRow>>;
  readonly value?: NamedRow | null;
}

export interface RecordPicker {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  /** The picked record's id, or null. */
  value(): string | null;
}

let pickers = 0;

/**
 * A type-ahead combobox (WAI-ARIA combobox pattern, list autocomplete): each keystroke asks the
 * local store for the first matches, so it stays quick with any number of rows; arrows, Enter and
 * Escape work as in any list box.
 */
export function recordPicker(options: RecordPickerOptions): RecordPicker {
  const n = ++pickers;
  const inputId = `picker-${n}`;
  const listId = `picker-${n}-list`;
  const hintId = `picker-${n}-hint`;
  let picked: NamedRow | null = options.value ?? null;
  let rows: NamedRow[] = [];
  let next: string | null = null;
  let shownText = "";
  let active = -1;
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const input = h("input", {
    id: inputId,
    type: "text",
    role: "combobox",
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-describedby": hintId,
    placeholder: "Type to search",
    value: picked?.name ?? "",
    "data-testid": options.testId,
    "data-value": picked?.id ?? "",
  });
  const list = h("ul", {
    id: listId,
    role: "listbox",
    class: "picker-list",
    "aria-label": options.label,
    "data-testid": `${options.testId}-options`,
    hidden: true,
  });
  const hint = h("p", {
    id: hintId,
    class: "muted small",
    "aria-live": "polite",
    "data-testid": `${options.testId}-hint`,
  });
  const clear = h(
    "button",
    {
      type: "button",
      class: "picker-clear",
      "aria-label": `Clear ${options.label.toLowerCase()}`,
      "data-testid": `${options.testId}-clear`,
    },
    "✕",
  );

  const setPicked = (row: NamedRow | null) => {
    picked = row;
    input.value = row?.name ?? "";
    input.dataset.value = row?.id ?? "";
    clear.hidden = row === null;
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i: number) => {
    active = i;
    list.querySelectorAll<HTMLElement>("[role=option]").forEach((li, j) => {
      li.setAttribute("aria-selected", String(j === i));
    });
    const el = list.children[i] as HTMLElement | undefined;
    if (el) {
      input.setAttribute("aria-activedescendant", el.id);
      el.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const choose = (i: number) => {
    if (i === rows.length && next) {
      void search(next);
      return;
    }
    const row = rows[i];
    if (!row) return;
    setPicked(row);
    hint.textContent = "";
    close();
  };
  const option = (i: number, attrs: Record<string, string>, text: string) =>
    h(
      "li",
      {
        id: `${listId}-${i}`,
        role: "option",
        "aria-selected": "false",
        ...attrs,
        // mousedown, not click: it runs before the input's blur closes the list.
        onmousedown: (ev: Event) => {
          ev.preventDefault();
          choose(i);
        },
      },
      text,
    );
  /** The first page for the typed text, or (with `more`) the page after the one shown. */
  const search = async (more?: string) => {
    const text = more ? shownText : input.value.trim();
    const ask = ++asked;
    list.dataset.loading = "true";
    let found: Page<NamedRow>;
    let failed = false;
    try {
      found = await options.search(text, PICKER_PAGE, more);
    } catch {
      // Shown as a failed search, not as "no match": the rows may well be there. A failed
      // Show more… stays in the list, to try again.
      found = { rows: [], next: more ?? null };
      failed = true;
    }
    if (ask !== asked) return; // a later keystroke won
    const from = more ? rows.length : 0;
    rows = more ? [...rows, ...found.rows] : found.rows;
    next = found.next;
    shownText = text;
    list.replaceChildren(
      ...rows.map((r, i) =>
        option(i, { "data-id": r.id, "data-testid": `${options.testId}-option` }, r.name),
      ),
      ...(next
        ? [
            option(
              rows.length,
              { class: "picker-more", "data-testid": `${options.testId}-more` },
              "Show more…",
            ),
          ]
        : []),
    );
    hint.textContent = pickerHint({
      label: options.label,
      text,
      shown: rows.length,
      more: next !== null,
      failed,
    });
    if (failed) hint.dataset.outcome = "error";
    else delete hint.dataset.outcome;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(rows.length > from ? from : rows.length > 0 ? 0 : -1);
    delete list.dataset.loading;
    list.dataset.query = text;
    list.dataset.shown = String(rows.length);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void search(), 120);
  };

  input.addEventListener("input", () => {
    if (picked && input.value !== picked.name) {
      picked = null;
      input.dataset.value = "";
    }
    soon();
  });
  input.addEventListener("focus", () => {
    if (!picked) soon();
  });
  input.addEventListener("blur", () => {
    clearTimeout(timer);
    close();
    if (!picked && input.value.trim())
      hint.textContent = `Pick a ${options.label.toLowerCase()} from the list.`;
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      if (list.hidden) void search();
      else highlight(Math.min(rows.length - (next ? 0 : 1), active + 1));
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (ev.key === "Enter" && !list.hidden) {
      ev.preventDefault();
      choose(active);
    } else if (ev.key === "Escape" && !list.hidden) {
      ev.preventDefault();
      close();
    }
  });
  clear.addEventListener("click", () => {
    setPicked(null);
    input.focus();
  });
  clear.hidden = picked === null;

  const el = h(
    "div",
    { class: "field picker" },
    h("label", { for: inputId }, options.label),
    h("div", { class: "picker-box" }, input, clear),
    list,
    hint,
  );
  return { el, input, value: () => picked?.id ?? null };
}
