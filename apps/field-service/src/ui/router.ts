/** The app's screens, from the URL hash (the shell is one cached page, so routes live in the hash). */
export type Route =
  | { readonly view: "work" }
  | { readonly view: "case"; readonly id: string }
  | { readonly view: "new-case" }
  | { readonly view: "errors" }
  | { readonly view: "diagnostics" };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  if (path === "/new") return { view: "new-case" };
  if (path === "/errors") return { view: "errors" };
  if (path === "/diagnostics") return { view: "diagnostics" };
  const m = /^\/case\/([^/?#]+)$/.exec(path);
  if (m?.[1] && GUID.test(m[1])) return { view: "case", id: m[1].toLowerCase() };
  return { view: "work" };
}
