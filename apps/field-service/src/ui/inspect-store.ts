/**
 * A read-only look into the library's IndexedDB database for the diagnostics screen and the send
 * state of photos: the outbox, failures, the in-flight marker, the per-table checkpoints and row
 * counts. The public API exposes counts and failures only; this reads the stores as they are laid
 * out today (packages/store/src/schema.ts, schema version 4: `records` keyed [_entity, _id],
 * `outbox` by seq, `failures`, `checkpoints` and `meta` by key) — the library's private layout, not
 * its API, so a schema change must be checked here — and shows "not available" for anything it
 * doesn't recognise instead of guessing.
 */

export interface OutboxLine {
  readonly seq: number;
  readonly kind: string;
  readonly entity: string;
  readonly recordId: string;
  readonly attempts: number;
  readonly createdAt: string;
  /** What the record is called in the change, when the change carries it. */
  readonly title: string | null;
  readonly lastError: string | null;
}

export interface TableLine {
  readonly table: string;
  readonly rows: number | null;
  /** The pull checkpoint: where the table's sync stands. */
  readonly phase: string | null;
  readonly savedAt: string | null;
  readonly done: number | null;
  readonly total: number | null;
}

export interface StoreSnapshot {
  readonly outboxTotal: number;
  /** The first `limit` waiting changes, oldest first. */
  readonly outbox: readonly OutboxLine[];
  readonly tables: readonly TableLine[];
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Opens the database as it is, never creating or upgrading it. */
function openExisting(name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    let created = false;
    req.onupgradeneeded = () => {
      created = true;
      req.transaction?.abort();
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => (created ? resolve(null) : reject(req.error));
  });
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * The in-flight marker (`sync:in-flight` in meta): `{ sent, counted? }` — `sent` entries' attempt
 * is not counted on the entry yet — or, as older versions wrote it, a plain array (counted).
 */
function inFlightOf(value: unknown): { sent: Set<unknown>; all: Set<unknown> } {
  if (Array.isArray(value)) return { sent: new Set(), all: new Set(value) };
  const v = (value ?? {}) as { sent?: unknown; counted?: unknown };
  const sent = Array.isArray(v.sent) ? v.sent : [];
  const counted = Array.isArray(v.counted) ? v.counted : [];
  return { sent: new Set(sent), all: new Set([...sent, ...counted]) };
}
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function titleIn(
  entry: Record<string, unknown>,
  titleColumns: Readonly<Record<string, string>>,
): string | null {
  const column = titleColumns[str(entry.entity)];
  // The change's columns (`operation.columns`); rows written before the outbox kept only the
  // operation also carry the rendered request, whose body has the same plain columns.
  const columns =
    (entry.operation as { columns?: Record<string, unknown> } | undefined)?.columns ??
    (entry.request as { body?: Record<string, unknown> } | undefined)?.body;
  const v = column && columns ? columns[column] : undefined;
  return typeof v === "string" && v ? v : null;
}

export async function inspectStore(
  databaseName: string,
  tables: readonly string[],
  titleColumns: Readonly<Record<string, string>>,
  limit = 100,
): Promise<StoreSnapshot | null> {
  const db = await openExisting(databaseName);
  if (!db) return null;
  try {
    const names = new Set(Array.from(db.objectStoreNames));
    const wanted = ["outbox", "checkpoints", "records", "meta"].filter((n) => names.has(n));
    const tx = db.transaction(wanted, "readonly");
    let outboxTotal = 0;
    let outbox: OutboxLine[] = [];
    if (names.has("outbox")) {
      const store = tx.objectStore("outbox");
      outboxTotal = await request(store.count());
      const entries = (await request(store.getAll(null, limit))) as Record<string, unknown>[];
      const flight = names.has("meta")
        ? ((await request(tx.objectStore("meta").get("sync:in-flight"))) as { value?: unknown } | undefined)
        : undefined;
      // An attempt in flight is counted on the entry only once its answer is recorded.
      const { sent } = inFlightOf(flight?.value);
      outbox = entries.map((e) => ({
        seq: num(e.seq) ?? 0,
        kind: str(e.kind),
        entity: str(e.entity),
        recordId: str(e.recordId),
        attempts: (num(e.attempts) ?? 0) + (sent.has(e.seq) ? 1 : 0),
        createdAt: str(e.createdAt),
        title: titleIn(e, titleColumns),
        lastError: (() => {
          const err = e.lastError as { message?: unknown } | undefined;
          return err && typeof err.message === "string" ? err.message : null;
        })(),
      }));
    }
    const checkpoints = names.has("checkpoints")
      ? ((await request(tx.objectStore("checkpoints").getAll())) as Record<string, unknown>[])
      : [];
    const lines: TableLine[] = [];
    for (const table of tables) {
      let rows: number | null = null;
      if (names.has("records")) {
        // Primary key [_entity, _id]: every key of one table lies between [t] and [t, []].
        rows = await request(tx.objectStore("records").count(IDBKeyRange.bound([table], [table, []])));
      }
      const cp = checkpoints.find((c) => str(c.key) === `pull:${table}`);
      const value = (cp?.value ?? {}) as Record<string, unknown>;
      lines.push({
        table,
        rows,
        phase: cp ? str(value.phase) || null : null,
        savedAt: cp ? str(cp.savedAt) || null : null,
        done: num(value.done),
        total: num(value.total),
      });
    }
    return { outboxTotal, outbox, tables: lines };
  } finally {
    db.close();
  }
}

/** Where a record's local changes stand on their way to the server. */
export type SendState = "waiting" | "sending" | "failed" | "sent";

/**
 * The send state of some records of one table, read from the same stores (read-only): "failed"
 * when a sync failure names the record, "sending" when one of its outbox entries is in the
 * request in flight (`sync:in-flight` in meta), "waiting" when it has entries in the outbox,
 * otherwise "sent" (nothing of it is left to send). Null when the database isn't there (yet).
 */
export async function sendStates(
  databaseName: string,
  entity: string,
  ids: readonly string[],
): Promise<Map<string, SendState> | null> {
  const db = await openExisting(databaseName);
  if (!db) return null;
  try {
    const names = new Set(Array.from(db.objectStoreNames));
    if (!names.has("outbox") || !names.has("meta")) return null;
    const wanted = ["outbox", "meta", ...(names.has("failures") ? ["failures"] : [])];
    const tx = db.transaction(wanted, "readonly");
    const entries = (await request(tx.objectStore("outbox").getAll())) as Record<string, unknown>[];
    const flight = (await request(tx.objectStore("meta").get("sync:in-flight"))) as
      | { value?: unknown }
      | undefined;
    const inFlight = inFlightOf(flight?.value).all;
    const failures = names.has("failures")
      ? ((await request(tx.objectStore("failures").getAll())) as Record<string, unknown>[])
      : [];
    const wantedIds = new Set(ids);
    const states = new Map<string, SendState>(ids.map((id) => [id, "sent"]));
    for (const e of entries) {
      const id = str(e.recordId);
      if (str(e.entity) !== entity || !wantedIds.has(id)) continue;
      if (inFlight.has(e.seq)) states.set(id, "sending");
      else if (states.get(id) !== "sending") states.set(id, "waiting");
    }
    for (const f of failures) {
      const id = str(f.recordId);
      if (str(f.entity) === entity && wantedIds.has(id)) states.set(id, "failed");
    }
    return states;
  } finally {
    db.close();
  }
}
