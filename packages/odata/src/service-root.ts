import { xrmError } from "./errors/error-catalogue.ts";

/**
 * The service root (`http://host/api/data/v9.2/`, always with one trailing slash) of a `serverUrl`
 * option. Throws InvalidArgument for anything but an absolute http(s) URL without credentials.
 * Here, at the bottom, because two layers check it: createWebApi at the call (before it loads the
 * transport) and the transport itself.
 */
export function serviceRootOf(serverUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(serverUrl);
  } catch {
    throw xrmError(
      "InvalidArgument",
      `serverUrl is not an absolute URL: ${JSON.stringify(String(serverUrl))}.`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw xrmError("InvalidArgument", `serverUrl must use http or https, not ${parsed.protocol}`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    // Credentials in the URL would travel with every request and show up in logs.
    throw xrmError("InvalidArgument", "serverUrl must not contain credentials.");
  }
  parsed.search = "";
  parsed.hash = "";
  return `${parsed.href.replace(/\/+$/, "")}/`;
}
