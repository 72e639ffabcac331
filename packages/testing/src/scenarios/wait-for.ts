import { xrmError } from "@xrm-offline/odata";

/** Polls `condition` every few ms until it holds; an XrmError naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw xrmError("RequestTimeout", `Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The id an app action returned: a GUID string or `{ id }` (what createRecord resolves with). */
export function idOf(value: unknown, what: string): string {
  const id = typeof value === "string" ? value : (value as { id?: unknown } | null | undefined)?.id;
  if (typeof id !== "string" || id === "") {
    throw xrmError("InvalidArgument", `${what} must resolve with the record's id or { id }.`);
  }
  return id;
}
