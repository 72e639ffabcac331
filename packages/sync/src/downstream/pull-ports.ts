/**
 * What the puller needs from the outside world. `OfflineStore` (@xrm-offline/store) satisfies
 * `PullStore` as it is; `transportPullRemote` binds `PullRemote` to a Transport.
 */

export interface ApplyRowsResult {
  readonly applied: number;
  readonly removed: number;
  readonly keptWithLocalChanges: number;
}

export interface PullStore {
  /**
   * Writes server rows and removes server-deleted ids in one transaction, never over a column
   * with a pending local change (a row with local changes is never removed), and saves
   * `checkpoint` in that same transaction.
   */
  applyServerRows(
    entity: string,
    rows: readonly Readonly<Record<string, unknown>>[],
    options?: {
      readonly checkpoint?: { readonly key: string; readonly value: unknown };
      readonly removedIds?: readonly string[];
      /** Don't store null values (an absent column reads as null). */
      readonly omitNulls?: boolean;
    },
  ): Promise<ApplyRowsResult>;
  getCheckpoint(key: string): Promise<unknown>;
  setCheckpoint(key: string, value: unknown): Promise<void>;
  /** Ids of every local row of the table (keys only). */
  recordIds(entity: string): Promise<string[]>;
  /** Distinct ids the table's rows point at through one lookup value property (index only). */
  lookupIds(entity: string, valueProperty: string): Promise<string[]>;
}

export interface PullRemote {
  /**
   * GET a collection: `url` relative to the service root (`accounts?$select=…`) or a link the
   * server handed out (`@odata.nextLink`, `@odata.deltaLink`). Resolves with the parsed JSON body;
   * rejects with an XrmError (a TransportError carries `retryable` and `retryAfterMs`).
   */
  get(url: string, prefer: readonly string[], signal: AbortSignal): Promise<unknown>;
}

export type PullKind = "first-sync" | "resync" | "delta" | "related";

/** Shown in `status$` while a table comes down. */
export interface PullProgress {
  readonly table: string;
  readonly kind: PullKind;
  /** Rows written so far in this step. */
  readonly done: number;
  /**
   * Rows expected, an estimate: `@odata.count`, or past its 5,000 cap a whole table's
   * RetrieveTotalRecordCount snapshot; never below `done`, and `done` on the last page. null when
   * unknown (no count, a failed count, a filtered table past the cap).
   */
  readonly total: number | null;
}

/** What one table's pull did. */
export interface TablePullReport {
  readonly table: string;
  /** The heaviest step that ran: a full download ("first-sync"/"resync") or only changes. */
  readonly kind: Exclude<PullKind, "related">;
  /** Rows written (new, changed, related). */
  readonly rows: number;
  /** Local rows removed (deleted on the server, or out of scope). */
  readonly removed: number;
  /** Deleted on the server or out of scope, but kept because they have pending local changes. */
  readonly keptWithLocalChanges: number;
  /** HTTP requests made. */
  readonly requests: number;
  /** Why this table's pull stopped (the others still ran). */
  readonly error?: { readonly errorCode: number; readonly message: string };
}

export interface PullReport {
  readonly tables: readonly TablePullReport[];
  readonly rows: number;
  readonly removed: number;
  /** Tables whose pull failed this time (they resume from their checkpoint next time). */
  readonly failed: number;
}
