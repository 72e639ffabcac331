import { errorOf, h } from "./dom.ts";
import { PRIORITIES } from "./records.ts";

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

/** A line under a form: what the last action did, or what went wrong (the code kept in a data attribute). */
export function outcomeLine(testId: string): {
  el: HTMLParagraphElement;
  ok(text: string): void;
  fail(error: unknown, sentence: string): void;
} {
  const el = h("p", { class: "outcome", "data-testid": testId, role: "status" });
  return {
    el,
    ok(text) {
      el.className = "outcome ok";
      el.textContent = text;
      delete el.dataset.errorCode;
    },
    fail(error, sentence) {
      el.className = "outcome error";
      el.textContent = sentence;
      el.dataset.errorCode = String(errorOf(error).errorCode);
    },
  };
}
