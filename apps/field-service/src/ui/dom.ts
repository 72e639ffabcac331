/** A tiny element builder: enough for a handful of screens, no framework. */

type Child = Node | string | number | null | undefined | false;

export type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (name === "value" && "value" in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else if (child !== null && child !== undefined && child !== false) {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

/** Replace everything inside `el`. */
export function mount(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** `{ errorCode, message }` of anything a library call rejected with. */
export function errorOf(e: unknown): { errorCode: number; message: string } {
  if (typeof e === "object" && e !== null) {
    const o = e as { errorCode?: unknown; message?: unknown };
    return {
      errorCode: typeof o.errorCode === "number" ? o.errorCode : 0,
      message: typeof o.message === "string" ? o.message : String(e),
    };
  }
  return { errorCode: 0, message: String(e) };
}

/** The decimal errorCode as Dataverse writes it in hex: 2147746359 → 0x80040237. */
export function hexCode(errorCode: number): string {
  return `0x${(errorCode >>> 0).toString(16).padStart(8, "0")}`;
}
