import { normalizeRecordId } from "../edm/guid.ts";

/** The record an `@odata.bind` value points at. */
export interface BindReference {
  readonly entitySetName: string;
  /** Lower-case GUID. */
  readonly id: string;
}

export type BindParse =
  | { readonly ok: true; readonly ref: BindReference }
  | { readonly ok: false; readonly reason: string };

const ABSOLUTE = /^https?:\/\/[^/?#\s]+\/api\/data\/v\d+(?:\.\d+)*\/(.*)$/i;
const SERVER_RELATIVE = /^\/api\/data\/v\d+(?:\.\d+)*\/(.*)$/i;
const ENTITY_KEY = /^([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)\)$/;

/**
 * Parses the value of `nav@odata.bind`: `/contacts(<guid>)`, `contacts(<guid>)`,
 * `/api/data/v9.2/contacts(<guid>)` or an absolute `https://org…/api/data/v9.2/contacts(<guid>)`.
 * The key may be wrapped in braces and in any case (normalised to lower case, as DynamicsWebApi
 * does before sending). Alternate keys and batch Content-ID references (`$1`) are refused: a
 * write operation here always names its target by GUID.
 */
export function parseBindReference(value: string): BindParse {
  if (value.length > 2048) return { ok: false, reason: "the reference is longer than 2048 characters" };
  if (/^\$\d+$/.test(value)) {
    return { ok: false, reason: `batch Content-ID references such as '${value}' are not supported here` };
  }
  const path = ABSOLUTE.exec(value)?.[1] ?? SERVER_RELATIVE.exec(value)?.[1] ?? value.replace(/^\//, "");
  const m = ENTITY_KEY.exec(path);
  if (!m) {
    return {
      ok: false,
      reason:
        "expected '/<entity set>(<GUID>)', for example '/contacts(465b158c-541c-e511-80d3-3863bb347ba8)'",
    };
  }
  const id = normalizeRecordId(m[2]);
  if (!id) {
    return m[2]!.includes("=")
      ? { ok: false, reason: "alternate-key references are not supported; use the record's GUID" }
      : { ok: false, reason: `'${m[2]!.slice(0, 60)}' is not a valid record GUID` };
  }
  return { ok: true, ref: { entitySetName: m[1]!, id } };
}
