const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A GUID in the canonical form the emulator stores and returns: lowercase, no braces. */
export function normalizeGuid(value: string): string | undefined {
  const v = value.startsWith("{") && value.endsWith("}") ? value.slice(1, -1) : value;
  return GUID.test(v) ? v.toLowerCase() : undefined;
}
