import { h } from "./dom.ts";
import { type NamedRow, PRIORITIES } from "./records.ts";

export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", {}, label), control);
}

export function prioritySelect(testId: string, value: number | null): HTMLSelectElement {
  const select = h(
    "select",
    { "data-testid": testId },
    PRIORITIES.map((p) => h("option", { value: p.value, selected: p.value === value }, p.label)),
  );
  if (value === null) select.value = "2";
  return select;
}

export function recordSelect(
  testId: string,
  rows: readonly NamedRow[],
  value: string | null,
  emptyLabel: string,
): HTMLSelectElement {
  return h(
    "select",
    { "data-testid": testId },
    h("option", { value: "" }, emptyLabel),
    rows.map((r) =>
      h("option", { value: r.id, selected: !!value && r.id.toLowerCase() === value.toLowerCase() }, r.name),
    ),
  );
}

/** A line under a form: what the last action did, or its error. */
export function outcomeLine(testId: string): {
  el: HTMLParagraphElement;
  ok(text: string): void;
  fail(err: { errorCode: number; message: string }, hex: string): void;
} {
  const el = h("p", { class: "outcome", "data-testid": testId, role: "status" });
  return {
    el,
    ok(text) {
      el.className = "outcome ok";
      el.textContent = text;
      delete el.dataset.errorCode;
    },
    fail(err, hex) {
      el.className = "outcome error";
      el.textContent = `${hex}: ${err.message}`;
      el.dataset.errorCode = String(err.errorCode);
    },
  };
}
