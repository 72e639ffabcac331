import { serviceRootOf } from "@xrm-offline/odata";
import { invalidRequest } from "./transport-error.ts";

/**
 * The service root (`http://host/api/data/v9.2/`, always with one trailing slash) of `serverUrl`
 * (odata's `serviceRootOf`). Throws an invalid-request TransportError for anything but an absolute
 * http(s) URL without credentials.
 */
export function serviceRoot(serverUrl: string): string {
  try {
    return serviceRootOf(serverUrl);
  } catch (e) {
    throw invalidRequest((e as Error).message);
  }
}

// Control characters and spaces can't appear in a request line; CR/LF would let a value inject
// headers or whole `$batch` parts.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_URL = /[\u0000-\u0020\u007f]/;

/**
 * Absolute URL for a request URL given relative to the service root (`accounts(…)`), server-relative
 * (`/api/data/v9.2/accounts`), or absolute (an `@odata.nextLink`). The result must stay under the
 * service root: the bearer token is never sent anywhere else.
 */
export function resolveUrl(root: string, url: string): string {
  if (typeof url !== "string" || url === "") throw invalidRequest("The request URL is empty.");
  if (/[\r\n]/.test(url)) throw invalidRequest("The request URL contains a line break.");
  const rootUrl = new URL(root);
  let resolved: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) resolved = new URL(url);
    else if (url.startsWith(rootUrl.pathname)) resolved = new URL(url, rootUrl.origin);
    else resolved = new URL(url.replace(/^\/+/, ""), root);
  } catch {
    throw invalidRequest(`The request URL is not valid: ${JSON.stringify(url)}.`);
  }
  resolved.hash = "";
  const href = resolved.href;
  if (!href.startsWith(root) || UNSAFE_URL.test(href)) {
    throw invalidRequest(`The request URL is outside the service root ${root}: ${JSON.stringify(url)}.`);
  }
  return href;
}
