import Database from "better-sqlite3";

/** A row as stored: column values by Web API property name, plus lookup target tables. */
export interface StoredRecord {
  readonly entity: string;
  readonly id: string;
  /** Global row version: bumped on every write, exposed as the ETag `W/"<version>"`. */
  readonly version: number;
  readonly data: Record<string, unknown>;
  /** `_x_value` → logical name of the table the lookup points at (for polymorphic lookups). */
  readonly lookups: Record<string, string>;
}

interface RawRow {
  entity: string;
  id: string;
  version: number;
  data: string;
  lookups: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  data TEXT NOT NULL, lookups TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (entity, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_version ON records (entity, version);
CREATE TABLE IF NOT EXISTS tombstones (
  entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY (entity, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tombstones_by_version ON tombstones (entity, version);
CREATE TABLE IF NOT EXISTS associations (
  relationship TEXT NOT NULL, entity1 TEXT NOT NULL, id1 TEXT NOT NULL, entity2 TEXT NOT NULL, id2 TEXT NOT NULL,
  PRIMARY KEY (relationship, entity1, id1, entity2, id2)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

function toRecord(r: RawRow): StoredRecord {
  return {
    entity: r.entity,
    id: r.id,
    version: r.version,
    data: JSON.parse(r.data) as Record<string, unknown>,
    lookups: JSON.parse(r.lookups) as Record<string, string>,
  };
}

/**
 * Every table's rows in one generic SQLite table (`records`: entity, id, version, JSON data), so
 * any CSDL — 18 bundled tables or the 237 of the full fixture — works without DDL or migrations;
 * columns are validated against metadata before a write, and queries read JSON with json_extract.
 * Synchronous (better-sqlite3): a request's writes run inside one `transaction()` call.
 */
export class RecordStore {
  readonly db: Database.Database;
  #version: number;
  readonly #stmts;
  /** Prepared statements of generated queries, by SQL text (filters repeat). */
  readonly #queryCache = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(file: string) {
    this.db = new Database(file);
    if (file !== ":memory:") {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
    }
    this.db.exec(SCHEMA);
    const db = this.db;
    this.#stmts = {
      get: db.prepare<[string, string], RawRow>("SELECT * FROM records WHERE entity = ? AND id = ?"),
      insert: db.prepare("INSERT INTO records (entity, id, version, data, lookups) VALUES (?, ?, ?, ?, ?)"),
      update: db.prepare("UPDATE records SET version = ?, data = ?, lookups = ? WHERE entity = ? AND id = ?"),
      delete: db.prepare("DELETE FROM records WHERE entity = ? AND id = ?"),
      tombstone: db.prepare(
        "INSERT INTO tombstones (entity, id, version) VALUES (?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET version = excluded.version",
      ),
      untombstone: db.prepare("DELETE FROM tombstones WHERE entity = ? AND id = ?"),
      all: db.prepare<[string], RawRow>("SELECT * FROM records WHERE entity = ? ORDER BY id"),
      count: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM records WHERE entity = ?"),
      changed: db.prepare<[string, number, number], RawRow>(
        "SELECT * FROM records WHERE entity = ? AND version > ? AND version <= ? ORDER BY version",
      ),
      deleted: db.prepare<[string, number, number], { id: string; version: number }>(
        "SELECT id, version FROM tombstones WHERE entity = ? AND version > ? AND version <= ? ORDER BY version",
      ),
      associate: db.prepare(
        "INSERT OR IGNORE INTO associations (relationship, entity1, id1, entity2, id2) VALUES (?, ?, ?, ?, ?)",
      ),
      disassociate: db.prepare(
        "DELETE FROM associations WHERE relationship = ? AND ((entity1 = ? AND id1 = ? AND entity2 = ? AND id2 = ?) OR (entity1 = ? AND id1 = ? AND entity2 = ? AND id2 = ?))",
      ),
      associated: db.prepare<
        [string, string, string, string, string, string],
        { entity: string; id: string }
      >(
        "SELECT entity2 AS entity, id2 AS id FROM associations WHERE relationship = ? AND entity1 = ? AND id1 = ? UNION SELECT entity1, id1 FROM associations WHERE relationship = ? AND entity2 = ? AND id2 = ?",
      ),
      dropAssociations: db.prepare(
        "DELETE FROM associations WHERE (entity1 = ? AND id1 = ?) OR (entity2 = ? AND id2 = ?)",
      ),
      metaGet: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      metaSet: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
    };
    const maxOf = (sql: string) => (db.prepare<[], { v: number | null }>(sql).get()?.v ?? 0) as number;
    this.#version = Math.max(
      maxOf("SELECT max(version) AS v FROM records"),
      maxOf("SELECT max(version) AS v FROM tombstones"),
      Number(this.metaGet("version") ?? 0),
    );
  }

  /** Run `fn` in one transaction (nested calls become savepoints); a throw rolls all of it back. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The latest version handed out (the high-water mark for change tracking). */
  get currentVersion(): number {
    return this.#version;
  }

  /** A new, higher row version. */
  nextVersion(): number {
    this.#version += 1;
    return this.#version;
  }

  /** Persist the version counter (delta tokens must stay valid across restarts). */
  persistVersion(): void {
    this.metaSet("version", String(this.#version));
  }

  get(entity: string, id: string): StoredRecord | undefined {
    const r = this.#stmts.get.get(entity, id);
    return r ? toRecord(r) : undefined;
  }

  has(entity: string, id: string): boolean {
    return this.#stmts.get.get(entity, id) !== undefined;
  }

  /** Insert a row with `version` (from nextVersion()). */
  insert(
    entity: string,
    id: string,
    version: number,
    data: Record<string, unknown>,
    lookups: Record<string, string>,
  ): void {
    this.#stmts.insert.run(entity, id, version, JSON.stringify(data), JSON.stringify(lookups));
    this.#stmts.untombstone.run(entity, id);
  }

  update(
    entity: string,
    id: string,
    version: number,
    data: Record<string, unknown>,
    lookups: Record<string, string>,
  ): void {
    this.#stmts.update.run(version, JSON.stringify(data), JSON.stringify(lookups), entity, id);
  }

  /** Delete a row, leaving a tombstone for change tracking. False when there was no such row. */
  delete(entity: string, id: string): boolean {
    const res = this.#stmts.delete.run(entity, id);
    if (res.changes === 0) return false;
    this.#stmts.tombstone.run(entity, id, this.nextVersion());
    this.#stmts.dropAssociations.run(entity, id, entity, id);
    return true;
  }

  all(entity: string): StoredRecord[] {
    return this.#stmts.all.all(entity).map(toRecord);
  }

  count(entity: string): number {
    return this.#stmts.count.get(entity)?.n ?? 0;
  }

  /** Rows of `entity` matching a compiled WHERE clause (see odata/filter-sql.ts). */
  query(
    entity: string,
    where: { sql: string; params: unknown[] },
    orderBy: string,
    limit: number,
    offset: number,
  ): StoredRecord[] {
    const sql = `SELECT * FROM records WHERE entity = ? AND (${where.sql}) ORDER BY ${orderBy} LIMIT ? OFFSET ?`;
    return (this.#prepared(sql).all(entity, ...where.params, limit, offset) as RawRow[]).map(toRecord);
  }

  queryCount(entity: string, where: { sql: string; params: unknown[] }): number {
    const sql = `SELECT count(*) AS n FROM records WHERE entity = ? AND (${where.sql})`;
    return (this.#prepared(sql).get(entity, ...where.params) as { n: number } | undefined)?.n ?? 0;
  }

  #prepared(sql: string): Database.Statement<unknown[], unknown> {
    let stmt = this.#queryCache.get(sql);
    if (!stmt) {
      if (this.#queryCache.size >= 500) this.#queryCache.clear();
      stmt = this.db.prepare<unknown[], unknown>(sql);
      this.#queryCache.set(sql, stmt);
    }
    return stmt;
  }

  changedBetween(entity: string, after: number, upTo: number): StoredRecord[] {
    return this.#stmts.changed.all(entity, after, upTo).map(toRecord);
  }

  deletedBetween(entity: string, after: number, upTo: number): { id: string; version: number }[] {
    return this.#stmts.deleted.all(entity, after, upTo);
  }

  associate(relationship: string, entity1: string, id1: string, entity2: string, id2: string): void {
    this.#stmts.associate.run(relationship, entity1, id1, entity2, id2);
  }

  disassociate(relationship: string, entity1: string, id1: string, entity2: string, id2: string): boolean {
    const res = this.#stmts.disassociate.run(
      relationship,
      entity1,
      id1,
      entity2,
      id2,
      entity2,
      id2,
      entity1,
      id1,
    );
    return res.changes > 0;
  }

  associated(relationship: string, entity: string, id: string): { entity: string; id: string }[] {
    return this.#stmts.associated.all(relationship, entity, id, relationship, entity, id);
  }

  metaGet(key: string): string | undefined {
    return this.#stmts.metaGet.get(key)?.value;
  }

  metaSet(key: string, value: string): void {
    this.#stmts.metaSet.run(key, value);
  }

  /** Remove every row, tombstone and association (the version counter keeps growing). */
  clear(): void {
    this.transaction(() => {
      this.db.exec("DELETE FROM records; DELETE FROM tombstones; DELETE FROM associations;");
    });
  }

  close(): void {
    this.persistVersion();
    this.db.close();
  }
}
