/**
 * Cookie sessions and web resources: the emulator as the org's own site, so a page it serves can
 * call the Web API the way a Dataverse web resource does — same origin, authenticated by the
 * session cookie, no bearer token.
 *
 *   GET /login?returnUrl=/WebResources/new_/page.html  → Set-Cookie <name>=<value>; 302 returnUrl
 *   GET /logout                                         → the cookie cleared; 204
 *   GET /WebResources/<name>                            → the page (302 to /login without a session)
 *   GET /WebResources/ClientGlobalContext.js.aspx       → GetGlobalContext(): getClientUrl(), userSettings
 *
 * `/login` stands in for the Microsoft Entra sign-in a browser is redirected to: it signs in at
 * once. Everything under the service root accepts the session cookie or the bearer token.
 */
import type { WireResponse } from "./wire.ts";

export interface SessionOptions {
  /** The session cookie's value (a secret): Web API requests must carry it or the bearer token. */
  readonly cookie: string;
  /** Default `CrmOwinAuth`, the name of Dataverse's session cookie. */
  readonly cookieName?: string;
  /** The signed-in user's systemuserid that ClientGlobalContext.js.aspx reports. */
  readonly userId?: string;
}

export interface SiteOptions {
  readonly session?: SessionOptions;
  readonly accessToken?: string;
  /** Text web resources by name (`new_/page.html`), served under `/WebResources/`. */
  readonly webResources?: Readonly<Record<string, string>>;
}

export const DEFAULT_SESSION_COOKIE = "CrmOwinAuth";
export const DEFAULT_SESSION_USER = "7d577253-3ef0-4a0a-bb7f-8335c2596e70";
const WEB_RESOURCES = "/WebResources/";
const GLOBAL_CONTEXT = "ClientGlobalContext.js.aspx";
const COOKIE_VALUE = /^[!#-+\--:<-[\]-~]+$/; // RFC 6265 cookie-octets

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  xml: "application/xml; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

/** Throws for options that could not work (checked once, at start). */
export function checkSiteOptions(options: SiteOptions): void {
  const s = options.session;
  if (s === undefined) return;
  if (typeof s.cookie !== "string" || !COOKIE_VALUE.test(s.cookie)) {
    throw new TypeError("session.cookie must be a non-empty cookie value (no spaces, quotes, commas or ;).");
  }
  if (s.cookieName !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s.cookieName)) {
    throw new TypeError("session.cookieName must be a cookie name token.");
  }
  if (s.userId !== undefined && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(s.userId)) {
    throw new TypeError("session.userId must be a GUID.");
  }
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function hasSession(session: SessionOptions | undefined, headers: ReadonlyMap<string, string>): boolean {
  if (!session) return false;
  return cookies(headers.get("cookie")).get(session.cookieName ?? DEFAULT_SESSION_COOKIE) === session.cookie;
}

/** May this Web API request go on? Without accessToken and session, every request may. */
export function isAuthorized(options: SiteOptions, headers: ReadonlyMap<string, string>): boolean {
  if (options.accessToken === undefined && options.session === undefined) return true;
  if (options.accessToken !== undefined && headers.get("authorization") === `Bearer ${options.accessToken}`)
    return true;
  return hasSession(options.session, headers);
}

/** Same-origin paths only, so /login cannot be used to send a browser elsewhere. */
function safeReturnUrl(value: string | null): string {
  return value?.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/";
}

function text(status: number, body: string, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers }, body };
}

function globalContextScript(origin: string, userId: string): string {
  // What a web resource reads from ClientGlobalContext.js.aspx: the org URL and the user.
  const context = { clientUrl: origin, userId: `{${userId.toUpperCase()}}` };
  return `(function(){var c=${JSON.stringify(context)};window.GetGlobalContext=function(){return{getClientUrl:function(){return c.clientUrl},userSettings:{userId:c.userId},getVersion:function(){return "9.2.0.0"}}}})();\n`;
}

/**
 * Answers the site's own pages (anything outside the service root): login, logout, web resources.
 * Undefined for paths it does not serve (the caller answers 404).
 */
export function sitePage(
  options: SiteOptions,
  origin: string,
  req: {
    readonly method: string;
    readonly pathname: string;
    readonly rawUrl: string;
    readonly query: URLSearchParams;
    readonly headers: ReadonlyMap<string, string>;
  },
): WireResponse | undefined {
  const session = options.session;
  const cookieName = session?.cookieName ?? DEFAULT_SESSION_COOKIE;
  const isRead = req.method === "GET" || req.method === "HEAD";
  if (req.pathname === "/login" && session) {
    if (!isRead) return text(405, "Method not allowed.", { Allow: "GET" });
    return {
      status: 302,
      headers: {
        Location: safeReturnUrl(req.query.get("returnUrl")),
        "Set-Cookie": `${cookieName}=${session.cookie}; Path=/; HttpOnly; SameSite=Lax`,
        "Cache-Control": "no-store",
      },
    };
  }
  if (req.pathname === "/logout" && session) {
    return {
      status: 204,
      headers: { "Set-Cookie": `${cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
    };
  }
  if (!req.pathname.startsWith(WEB_RESOURCES)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(req.pathname.slice(WEB_RESOURCES.length));
  } catch {
    return text(400, "Malformed web resource name.");
  }
  const resources = options.webResources ?? {};
  const isContext = name === GLOBAL_CONTEXT;
  if (!isContext && !Object.hasOwn(resources, name)) return text(404, "Web resource not found.");
  if (!isRead) return text(405, "Method not allowed.", { Allow: "GET, HEAD" });
  // Web resources run in the app's security context: a browser without a session signs in first.
  if (session && !hasSession(session, req.headers)) {
    return { status: 302, headers: { Location: `/login?returnUrl=${encodeURIComponent(req.rawUrl)}` } };
  }
  if (isContext) {
    return {
      status: 200,
      headers: { "Content-Type": CONTENT_TYPES.js ?? "text/javascript", "Cache-Control": "no-store" },
      body: globalContextScript(origin, session?.userId ?? DEFAULT_SESSION_USER),
    };
  }
  const extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return {
    status: 200,
    headers: {
      "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    },
    body: resources[name] ?? "",
  };
}
