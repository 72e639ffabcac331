/**
 * A read-only look into the library's IndexedDB database for the diagnostics screen: the outbox,
 * the per-table checkpoints and row counts. The public API exposes counts and failures only; this
 * reads the stores as they are laid out today (packages/store/src/schema.ts, version 1) and shows
 * "not available" for anything it doesn't recognise instead of guessing.
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
    const wanted = ["outbox", "checkpoints", "records"].filter((n) => names.has(n));
    const tx = db.transaction(wanted, "readonly");
    let outboxTotal = 0;
    let outbox: OutboxLine[] = [];
    if (names.has("outbox")) {
      const store = tx.objectStore("outbox");
      outboxTotal = await request(store.count());
      const entries = (await request(store.getAll(null, limit))) as Record<string, unknown>[];
      outbox = entries.map((e) => ({
        seq: num(e.seq) ?? 0,
        kind: str(e.kind),
        entity: str(e.entity),
        recordId: str(e.recordId),
        attempts: num(e.attempts) ?? 0,
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
