import { invalidRequest } from "./transport-error.ts";

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Throws an invalid-request TransportError unless `name: value` is a safe HTTP header. */
export function assertSafeHeader(name: string, value: unknown): asserts value is string {
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw invalidRequest(`Invalid header name: ${JSON.stringify(name)}.`);
  }
  if (typeof value !== "string") {
    throw invalidRequest(`Header ${name} must be a string, got ${value === null ? "null" : typeof value}.`);
  }
  if (UNSAFE_VALUE.test(value)) {
    throw invalidRequest(`Header ${name} contains a line break or control character.`);
  }
}

/** The OData headers Dataverse expects on every request (reference §1.1, §7). */
export function standardHeaders(hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
    Accept: "application/json",
  };
  if (hasBody) headers["Content-Type"] = "application/json; charset=utf-8";
  return headers;
}

/**
 * `base` overlaid with `extra`, header names compared case-insensitively (the later spelling wins).
 * Every header is validated. Built with Object.fromEntries so a `__proto__` name stays a plain key.
 */
export function mergeHeaders(
  base: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const byLower = new Map<string, [string, string]>();
  for (const source of [base, extra ?? {}]) {
    if (typeof source !== "object" || source === null)
      throw invalidRequest("Request headers must be an object.");
    for (const [name, value] of Object.entries(source)) {
      assertSafeHeader(name, value);
      byLower.set(name.toLowerCase(), [name, value]);
    }
  }
  return Object.fromEntries(byLower.values());
}

/** Lower-case-keyed plain object of a fetch `Headers`. */
export function headersToObject(headers: Headers): Record<string, string> {
  return Object.fromEntries(Array.from(headers, ([name, value]) => [name.toLowerCase(), value]));
}
