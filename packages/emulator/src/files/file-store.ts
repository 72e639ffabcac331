import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";

/** A stored file or image: the bytes and what Dataverse reports about them. */
export interface StoredFile {
  readonly fileId: string;
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  readonly data: Buffer;
}

/** An upload in progress (chunked PATCH or the block messages), kept in SQLite so a restart keeps it. */
export interface UploadSession {
  readonly token: string;
  readonly table: string;
  readonly id: string;
  readonly column: string;
  readonly name: string;
  readonly mode: "chunked" | "blocks";
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  entity TEXT NOT NULL, id TEXT NOT NULL, col TEXT NOT NULL, fileid TEXT NOT NULL,
  name TEXT NOT NULL, mimetype TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (entity, id, col)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS upload_sessions (
  token TEXT PRIMARY KEY, entity TEXT NOT NULL, id TEXT NOT NULL, col TEXT NOT NULL,
  name TEXT NOT NULL, mode TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS upload_parts (
  token TEXT NOT NULL, part TEXT NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (token, part)) WITHOUT ROWID;
`;

interface FileRow {
  fileid: string;
  name: string;
  mimetype: string;
  size: number;
  data: Buffer;
}

/**
 * Files of file and image columns, outside the records table as Dataverse keeps them in file
 * storage; upload sessions and their received parts (chunk ranges or blocks) survive a restart.
 */
export class FileStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  get(table: string, id: string, column: string): StoredFile | undefined {
    const row = this.#db
      .prepare<[string, string, string], FileRow>(
        "SELECT fileid, name, mimetype, size, data FROM files WHERE entity = ? AND id = ? AND col = ?",
      )
      .get(table, id, column);
    return row
      ? { fileId: row.fileid, name: row.name, mimeType: row.mimetype, size: row.size, data: row.data }
      : undefined;
  }

  byFileId(fileId: string): { table: string; id: string; column: string } | undefined {
    const row = this.#db
      .prepare<[string], { entity: string; id: string; col: string }>(
        "SELECT entity, id, col FROM files WHERE fileid = ?",
      )
      .get(fileId);
    return row ? { table: row.entity, id: row.id, column: row.col } : undefined;
  }

  /** Store (replace) a column's file; returns the new file id. */
  put(table: string, id: string, column: string, file: Omit<StoredFile, "fileId" | "size">): StoredFile {
    const stored: StoredFile = { ...file, fileId: randomUUID(), size: file.data.length };
    this.#db
      .prepare(
        "INSERT OR REPLACE INTO files (entity, id, col, fileid, name, mimetype, size, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(table, id, column, stored.fileId, stored.name, stored.mimeType, stored.size, stored.data);
    return stored;
  }

  delete(table: string, id: string, column?: string): void {
    if (column === undefined)
      this.#db.prepare("DELETE FROM files WHERE entity = ? AND id = ?").run(table, id);
    else this.#db.prepare("DELETE FROM files WHERE entity = ? AND id = ? AND col = ?").run(table, id, column);
  }

  openSession(session: Omit<UploadSession, "token">): UploadSession {
    const token = randomUUID().replaceAll("-", "");
    this.#db
      .prepare("INSERT INTO upload_sessions (token, entity, id, col, name, mode) VALUES (?, ?, ?, ?, ?, ?)")
      .run(token, session.table, session.id, session.column, session.name, session.mode);
    return { ...session, token };
  }

  session(token: string): UploadSession | undefined {
    const row = this.#db
      .prepare<
        [string],
        { token: string; entity: string; id: string; col: string; name: string; mode: string }
      >("SELECT * FROM upload_sessions WHERE token = ?")
      .get(token);
    if (!row) return undefined;
    return {
      token: row.token,
      table: row.entity,
      id: row.id,
      column: row.col,
      name: row.name,
      mode: row.mode === "blocks" ? "blocks" : "chunked",
    };
  }

  /** Keep one part (a chunk at `start`, or a block by id); sending the same part again replaces it. */
  putPart(token: string, part: string, start: number, data: Buffer): void {
    this.#db
      .prepare("INSERT OR REPLACE INTO upload_parts (token, part, start, data) VALUES (?, ?, ?, ?)")
      .run(token, part, start, data);
  }

  parts(token: string): Map<string, { start: number; data: Buffer }> {
    const rows = this.#db
      .prepare<[string], { part: string; start: number; data: Buffer }>(
        "SELECT part, start, data FROM upload_parts WHERE token = ? ORDER BY start",
      )
      .all(token);
    return new Map(rows.map((r) => [r.part, { start: r.start, data: r.data }]));
  }

  closeSession(token: string): void {
    this.#db.prepare("DELETE FROM upload_parts WHERE token = ?").run(token);
    this.#db.prepare("DELETE FROM upload_sessions WHERE token = ?").run(token);
  }

  clear(): void {
    this.#db.exec("DELETE FROM files; DELETE FROM upload_parts; DELETE FROM upload_sessions;");
  }
}
