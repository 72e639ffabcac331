const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

/**
 * `"{465B158C-541C-E511-80D3-3863BB347BA8}"` → `"465b158c-541c-e511-80d3-3863bb347ba8"`.
 * Accepts the hyphenated 8-4-4-4-12 form, optionally wrapped in one pair of braces (the form
 * `Xrm.Page` lookups hand out), in any case. Anything else, non-strings included → undefined.
 */
export function normalizeGuid(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length < 36 || value.length > 38) return undefined;
  const bare =
    value.length === 38 && value.startsWith("{") && value.endsWith("}") ? value.slice(1, -1) : value;
  return GUID.test(bare) ? bare.toLowerCase() : undefined;
}

/** A GUID usable as a record id: well-formed and not the empty GUID, which Dataverse never assigns. */
export function normalizeRecordId(value: unknown): string | undefined {
  const id = normalizeGuid(value);
  return id === EMPTY_GUID ? undefined : id;
}
