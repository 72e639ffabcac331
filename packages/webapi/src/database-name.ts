import { xrmError } from "@xrm-offline/odata";

/**
 * The default IndexedDB database name: `xrm-offline:<host>` of the org (`xrm-offline:local`
 * without a server), so two orgs never share a database. Only the host (and a non-default port)
 * is used: user names, passwords, paths and query strings of the URL never reach the database
 * name, which the browser stores (invariant 7). Devices shared by several users should pass a
 * databaseName that includes the user.
 */
export function defaultDatabaseName(serverUrl: string | undefined): string {
  if (serverUrl === undefined) return "xrm-offline:local";
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw xrmError("InvalidArgument", "serverUrl is not a valid absolute URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw xrmError("InvalidArgument", "serverUrl must be an http(s) URL.");
  }
  return `xrm-offline:${url.host.toLowerCase()}`;
}
