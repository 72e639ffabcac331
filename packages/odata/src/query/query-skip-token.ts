import type { Normalized } from "./query-compare.ts";
import { parserError } from "./query-errors.ts";

/**
 * The opaque `$skiptoken` of a local nextLink. It records where the previous page ended — the
 * last row's sort-key values and primary key — not an offset, so the next page starts right
 * after that row even if rows were added or removed in between: a paged read never returns a
 * row twice and never skips one that stayed. It also records how many rows were returned (for
 * `$top`) and the query's fingerprint, so a token only works with the query that issued it.
 * Encoding: base64url of a small JSON array, checked field by field on the way back in.
 */

export interface SkipPosition {
  /** Normalized sort-key values of the last returned row, in `orderBy` order. */
  readonly keys: readonly Normalized[];
  /** Its primary key (lower case). */
  readonly id: string;
  /** Rows returned so far, over all pages. */
  readonly returned: number;
}

const VERSION = 1;
const MAX_TOKEN_LENGTH = 8192;

/** FNV-1a (32-bit) of a string, as 8 hex digits. Identity, not security. */
export function fingerprintOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return undefined;
  try {
    const bin = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeSkipToken(fingerprint: string, position: SkipPosition): string {
  return toBase64Url(
    JSON.stringify([VERSION, fingerprint, position.returned, position.id, ...position.keys]),
  );
}

function invalid(): never {
  throw parserError("The $skiptoken value is not valid for this query.");
}

/** Reads a token back; rejects one from another query, another version or a tampered one. */
export function decodeSkipToken(token: string, fingerprint: string, keyCount: number): SkipPosition {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) invalid();
  const json = fromBase64Url(token);
  if (json === undefined) invalid();
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    invalid();
  }
  if (!Array.isArray(data) || data.length !== 4 + keyCount) invalid();
  const [version, fp, returned, id, ...keys] = data as unknown[];
  if (version !== VERSION || fp !== fingerprint) invalid();
  if (typeof returned !== "number" || !Number.isSafeInteger(returned) || returned < 0) invalid();
  // A plain row's id is a GUID; a FetchXML join row's is its parent's and children's, `|`-joined.
  if (typeof id !== "string" || id.length > 1000) invalid();
  const ok = keys.every((k) => k === null || ["string", "number", "boolean"].includes(typeof k));
  if (!ok) invalid();
  return { keys: keys as Normalized[], id, returned };
}
