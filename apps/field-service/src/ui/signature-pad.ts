import { h } from "./dom.ts";

export interface SignaturePad {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** Something was drawn or typed. */
  isSigned(): boolean;
  clear(): void;
}

/**
 * A signature box: drawn with a finger, pen or mouse (pointer events), or — for keyboard and
 * screen-reader users — typed: the typed name is written into the box in a handwriting-like font.
 */
export function signaturePad(testId: string): SignaturePad {
  const canvas = h("canvas", {
    width: 600,
    height: 200,
    class: "signature",
    "data-testid": `${testId}-canvas`,
    role: "img",
    "aria-label": "Signature box: draw with a finger, pen or mouse, or type the name below",
  });
  const typed = h("input", {
    type: "text",
    id: `${testId}-typed`,
    "data-testid": `${testId}-typed`,
    autocomplete: "name",
  });
  const ctx = canvas.getContext("2d");
  let strokes = 0;
  let drawing = false;
  const point = (ev: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return {
      x: ((ev.clientX - r.left) * canvas.width) / r.width,
      y: ((ev.clientY - r.top) * canvas.height) / r.height,
    };
  };
  const reset = () => {
    if (!ctx) return;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#1b1b1f";
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  };
  reset();
  canvas.addEventListener("pointerdown", (ev) => {
    if (!ctx) return;
    drawing = true;
    try {
      // Keep the stroke when the finger leaves the box; not every pointer can be captured.
      canvas.setPointerCapture(ev.pointerId);
    } catch {
      // drawing still works inside the box
    }
    const p = point(ev);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    // A tap is a dot.
    ctx.lineTo(p.x + 0.1, p.y + 0.1);
    ctx.stroke();
    strokes++;
    ev.preventDefault();
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!drawing || !ctx) return;
    const p = point(ev);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    strokes++;
  });
  const end = () => {
    drawing = false;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  typed.addEventListener("input", () => {
    reset();
    strokes = 0;
    if (!ctx || !typed.value.trim()) return;
    ctx.fillStyle = "#1b1b1f";
    ctx.font = "italic 56px 'Segoe Script', 'Brush Script MT', cursive";
    ctx.textBaseline = "middle";
    ctx.fillText(typed.value.trim(), 24, canvas.height / 2, canvas.width - 48);
    strokes = 1;
  });
  const clearButton = h("button", { type: "button", "data-testid": `${testId}-clear` }, "Clear signature");
  const pad: SignaturePad = {
    el: h(
      "div",
      { class: "signature-pad" },
      canvas,
      h("label", { class: "field", for: `${testId}-typed` }, "Or type the signer's name"),
      typed,
      h("div", { class: "actions" }, clearButton),
    ),
    canvas,
    isSigned: () => strokes > 0,
    clear() {
      reset();
      strokes = 0;
      typed.value = "";
    },
  };
  clearButton.addEventListener("click", () => pad.clear());
  return pad;
}
