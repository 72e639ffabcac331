/**
 * Defaults taken from the model-driven app hosting the page. Inside Dataverse the Web API is on
 * the app's own origin and authenticated by its session cookie, so a form script or web resource
 * needs neither a URL nor a token: `getClientUrl()` gives the org's base URL (Client API reference,
 * Xrm.Utility.getGlobalContext().getClientUrl) and `userSettings.userId` the signed-in user, whose
 * id goes into the database name (invariant 7: one database per org and user).
 *
 * Looked up, in order: `Xrm.Utility.getGlobalContext()` (form scripts, command bar scripts, HTML web
 * resources given Xrm by their form), then `GetGlobalContext()` (an HTML web resource that loaded
 * ClientGlobalContext.js.aspx).
 */
export interface HostDefaults {
  /** `<clientUrl>/api/data/v9.2`. */
  readonly serverUrl: string;
  /** The signed-in user's systemuserid, lower case, without braces. */
  readonly userId?: string;
}

interface GlobalContextLike {
  getClientUrl?: () => unknown;
  userSettings?: { userId?: unknown };
}

const WEB_API_PATH = "/api/data/v9.2";
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

function globalContextOf(scope: object): GlobalContextLike | undefined {
  const s = scope as {
    Xrm?: { Utility?: { getGlobalContext?: () => unknown } };
    GetGlobalContext?: () => unknown;
  };
  const candidates = [() => s.Xrm?.Utility?.getGlobalContext?.(), () => s.GetGlobalContext?.()];
  for (const candidate of candidates) {
    let context: unknown;
    try {
      context = candidate();
    } catch {
      continue; // a half-initialised host: try the next source
    }
    if (typeof context === "object" && context !== null) {
      const c = context as GlobalContextLike;
      if (typeof c.getClientUrl === "function") return c;
    }
  }
  return undefined;
}

/** The host's defaults, or undefined outside a model-driven app (no usable global context). */
export function hostDefaults(scope: object = globalThis): HostDefaults | undefined {
  const context = globalContextOf(scope);
  if (!context) return undefined;
  const clientUrl = context.getClientUrl?.();
  if (typeof clientUrl !== "string" || clientUrl === "") return undefined;
  const userId = context.userSettings?.userId;
  const match = typeof userId === "string" ? GUID.exec(userId) : null;
  return {
    serverUrl: `${clientUrl.replace(/\/+$/, "")}${WEB_API_PATH}`,
    ...(match?.[1] ? { userId: match[1].toLowerCase() } : {}),
  };
}
