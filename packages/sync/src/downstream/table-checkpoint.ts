/**
 * Where a table's pull stands, saved in the store's checkpoints table with the page it covers
 * (same transaction), so an interrupted pull resumes at the next page and never skips one.
 *
 *   token ──► rows ──► delta ⟲      (a filtered table: ids-only scan for the delta token first)
 *             rows ──► delta ⟲      (a whole table: the tracked read itself ends in the token)
 *   token ──────────► delta ⟲      (related rows only)
 *
 * A different scope (filter changed), an expired token or a garbled checkpoint starts over with a
 * full download that replaces the table's rows (`sweep`).
 */

export type TablePhase = "token" | "rows" | "delta";

export interface TableCheckpoint {
  readonly v: 1;
  /** The table's scope when this was saved (see TablePlan.scope). */
  readonly scope: string;
  readonly phase: TablePhase;
  /**
   * token and rows: the next page to fetch (null: the first one); delta: the delta link, or the
   * next page of the changes under way. Stored without the origin (see `storedLink`).
   */
  readonly link: string | null;
  /** The delta link a token scan got, kept until the filtered rows are down. */
  readonly token: string | null;
  /** The full download replaces what was there: local rows it did not bring are removed after. */
  readonly sweep: boolean;
  /** Which full download is under way (progress and reports); null once in delta. */
  readonly kind: "first-sync" | "resync" | null;
  /** Rows written by the full download so far. */
  readonly done: number;
  /** Rows the server announced for it, when known. */
  readonly total: number | null;
}

export function checkpointKey(entity: string): string {
  return `pull:${entity}`;
}

/** The list of tables pulled so far, to notice tables dropped from the profile. */
export const PROFILE_KEY = "pull:$tables";

const PHASES = new Set<unknown>(["token", "rows", "delta"]);
const KINDS = new Set<unknown>(["first-sync", "resync", null]);

function isNullableString(v: unknown): v is string | null {
  return v === null || typeof v === "string";
}

/** A stored value → a checkpoint, or undefined when absent or not one (then: download again). */
export function parseCheckpoint(value: unknown): TableCheckpoint | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const c = value as Record<string, unknown>;
  const ok =
    c.v === 1 &&
    typeof c.scope === "string" &&
    PHASES.has(c.phase) &&
    isNullableString(c.link) &&
    isNullableString(c.token) &&
    typeof c.sweep === "boolean" &&
    KINDS.has(c.kind) &&
    typeof c.done === "number" &&
    Number.isSafeInteger(c.done) &&
    (c.total === null || (typeof c.total === "number" && Number.isSafeInteger(c.total))) &&
    // A delta checkpoint without a link could never make progress.
    (c.phase !== "delta" || typeof c.link === "string");
  return ok ? (c as unknown as TableCheckpoint) : undefined;
}

/** The start of a full download of a table. */
export function fullDownload(
  scope: string,
  kind: "first-sync" | "resync",
  needsToken: boolean,
  sweep: boolean,
): TableCheckpoint {
  return {
    v: 1,
    scope,
    phase: needsToken ? "token" : "rows",
    link: null,
    token: null,
    sweep,
    kind,
    done: 0,
    total: null,
  };
}

/**
 * A server link as stored: path and query only, so a checkpoint stays usable when the same
 * service is reached through another origin (a port change in tests, a proxy); the transport
 * resolves it against its service root and never sends the token elsewhere.
 */
export function storedLink(link: string): string {
  if (!/^https?:\/\//i.test(link)) return link;
  try {
    const url = new URL(link);
    return url.pathname + url.search;
  } catch {
    return link;
  }
}
