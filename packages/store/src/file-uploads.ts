import { type OutboxCounts, xrmError } from "@xrm-offline/odata";
import { downloadKey } from "./download-key.ts";
import { type DownloadedFile, dropDownloaded, keepDownloaded, readDownloaded } from "./downloaded-files.ts";
import { storeError } from "./quota-error.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/** How far an upload got: saved after every acknowledged chunk so a reload resumes it. */
export interface FileUploadProgress {
  readonly location?: string;
  readonly chunkSize?: number;
  readonly sentBytes: number;
}

/**
 * A file or image column set on this device. "pending": waits to be uploaded (once the record
 * exists on the server); "failed": refused for good, kept until retried or discarded; "uploaded":
 * on the server, the bytes kept for local reads.
 */
export interface FileUpload {
  /** `<entity>|<recordId>|<column>`: setting the column again replaces the entry (last one wins). */
  readonly id: string;
  readonly entity: string;
  readonly recordId: string;
  readonly column: string;
  /** The `blobs` row with the bytes; a new set gets a new blob, so a stale upload can tell. */
  readonly blobId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  readonly state: "pending" | "failed" | "uploaded";
  readonly progress?: FileUploadProgress;
  readonly attempts: number;
  readonly error?: {
    readonly errorCode: number;
    readonly code: string;
    readonly message: string;
    readonly httpStatus: number;
  };
  /** ISO time of the set. */
  readonly createdAt: string;
  /**
   * Uploaded: the record's marker of this file on the server (an image column's image id, a file
   * column's file id) read after the upload, when the server said; a pulled row with another marker
   * means the server has a newer file (set elsewhere).
   */
  readonly serverVersion?: string;
}

/** Binary content, apart from records and outbox entries (one value per file). */
export interface StoredBlob {
  readonly id: string;
  readonly blob: Blob;
}

/**
 * A file as this device has it. `state`: an upload's state for a file set here; "downloaded" for
 * the server's file kept here (downloaded on a read, or a note body that came with its row).
 */
export interface LocalFile {
  readonly blob: Blob;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  readonly state: FileUpload["state"] | "downloaded";
}

export const uploadKey = (entity: string, recordId: string, column: string) =>
  `${entity}|${recordId}|${column}`;

/**
 * Files of file and image columns set offline, and their uploads. A set writes the blob and its
 * upload entry in one transaction (both or neither: a `QuotaExceededError` leaves nothing). The
 * sync engine uploads an entry once its record exists on the server (`_server` not null).
 */
export class FileUploadStore {
  readonly #db: XrmDatabase;
  readonly #now: () => Date;
  readonly #blobId: () => string;
  readonly #changed: () => void;

  /**
   * `changed` is called after a set, a retry or a discard has committed (OfflineStore: its change
   * notification, which other tabs and workers get too, so the sync engine wherever it runs counts
   * again and sends). The engine's own steps (attempts, progress, finish, fail) don't call it.
   */
  constructor(db: XrmDatabase, now: () => Date, newId: () => string, changed: () => void = () => {}) {
    this.#db = db;
    this.#now = now;
    this.#blobId = newId;
    this.#changed = changed;
  }

  /** Store `blob` as the column's file and queue its upload; replaces an earlier set of the column. */
  async set(
    target: { entity: string; recordId: string; column: string; fileName: string; mimeType: string },
    blob: Blob,
  ): Promise<FileUpload> {
    const db = this.#db;
    const id = uploadKey(target.entity, target.recordId, target.column);
    const upload: FileUpload = {
      id,
      entity: target.entity,
      recordId: target.recordId,
      column: target.column,
      blobId: this.#blobId(),
      fileName: target.fileName,
      mimeType: target.mimeType,
      size: blob.size,
      state: "pending",
      attempts: 0,
      createdAt: this.#now().toISOString(),
    };
    try {
      await db.transaction("rw", [db.records, db.blobs, db.uploads], async () => {
        const row = await db.records.get([target.entity, target.recordId]);
        if (!row || row._deleted) {
          throw xrmError(
            "ObjectDoesNotExist",
            `Entity '${target.entity}' With Id = ${target.recordId} Does Not Exist`,
          );
        }
        const previous = await db.uploads.get(id);
        if (previous) await db.blobs.delete(previous.blobId);
        // The server's file downloaded earlier is replaced by this one.
        await db.blobs.delete(downloadKey(target.entity, target.recordId, target.column));
        await db.blobs.put({ id: upload.blobId, blob });
        await db.uploads.put(upload);
      });
    } catch (e) {
      throw storeError(e);
    }
    this.#changed();
    return upload;
  }

  /** The column's file as this device has it (set here), or undefined. */
  async file(entity: string, recordId: string, column: string): Promise<LocalFile | undefined> {
    const db = this.#db;
    return db.transaction("r", [db.uploads, db.blobs], async () => {
      const upload = await db.uploads.get(uploadKey(entity, recordId, column));
      if (!upload) return undefined;
      const stored = await db.blobs.get(upload.blobId);
      if (!stored) return undefined;
      return {
        blob: stored.blob,
        fileName: upload.fileName,
        mimeType: upload.mimeType,
        size: upload.size,
        state: upload.state,
      };
    });
  }

  /** The downloaded copy of a column's file (set elsewhere), or undefined. */
  async downloaded(entity: string, recordId: string, column: string): Promise<DownloadedFile | undefined> {
    return readDownloaded(this.#db, entity, recordId, column);
  }

  /**
   * Keeps a downloaded copy (replacing an older one) unless the record left the device, was deleted
   * here or had a file set here meanwhile. A full disk is an XrmError (0x80070070), nothing kept.
   */
  async keepDownloaded(
    target: { readonly entity: string; readonly recordId: string; readonly column: string },
    file: Omit<DownloadedFile, "id" | "downloadedAt">,
  ): Promise<boolean> {
    try {
      return await keepDownloaded(this.#db, target, { ...file, downloadedAt: this.#now().toISOString() });
    } catch (e) {
      throw storeError(e);
    }
  }

  /** Drops the downloaded copy of a column's file (the server replaced or removed it). */
  async dropDownloaded(entity: string, recordId: string, column: string): Promise<void> {
    await dropDownloaded(this.#db, entity, recordId, column);
  }

  async blob(blobId: string): Promise<Blob | undefined> {
    return (await this.#db.blobs.get(blobId))?.blob;
  }

  list(): Promise<FileUpload[]> {
    return this.#db.uploads.toArray();
  }

  /**
   * Uploads waiting to go and refused ones (index counts): the sync engine shows them with the
   * outbox's entries in `status$.pending` / `status$.failed`.
   */
  async counts(): Promise<OutboxCounts> {
    const db = this.#db;
    return db.transaction("r", [db.uploads], async () => {
      const [pending, failed] = await Promise.all([
        db.uploads.where("state").equals("pending").count(),
        db.uploads.where("state").equals("failed").count(),
      ]);
      return { pending, failed };
    });
  }

  /**
   * Pending uploads whose record the server has (its create was acknowledged), oldest first.
   * A local delete drops its record's uploads in its own transaction (drop-record-files.ts); an
   * upload whose record is gone otherwise (a discarded create) is dropped here, with its bytes.
   */
  async ready(): Promise<FileUpload[]> {
    const db = this.#db;
    return db.transaction("rw", [db.records, db.blobs, db.uploads], async () => {
      const pending = await db.uploads.where("state").equals("pending").toArray();
      const rows = await db.records.bulkGet(pending.map((u) => [u.entity, u.recordId] as [string, string]));
      const ready: FileUpload[] = [];
      for (const [i, upload] of pending.entries()) {
        const row = rows[i];
        if (!row || row._deleted) {
          await db.uploads.delete(upload.id);
          await db.blobs.delete(upload.blobId);
        } else if (row._server !== null) ready.push(upload);
      }
      return ready.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    });
  }

  /** Apply `change` to the entry only if it still holds the same blob (no newer set replaced it). */
  async #update(upload: FileUpload, change: (u: FileUpload) => FileUpload | undefined): Promise<boolean> {
    const db = this.#db;
    return db.transaction("rw", [db.uploads, db.blobs], async () => {
      const current = await db.uploads.get(upload.id);
      if (!current || current.blobId !== upload.blobId) return false;
      const next = change(current);
      if (next) await db.uploads.put(next);
      else {
        await db.uploads.delete(current.id);
        await db.blobs.delete(current.blobId);
      }
      return true;
    });
  }

  /** Before a request leaves: count the attempt. */
  markAttempt(upload: FileUpload): Promise<boolean> {
    return this.#update(upload, (u) => ({ ...u, attempts: u.attempts + 1 }));
  }

  saveProgress(upload: FileUpload, progress: FileUploadProgress): Promise<boolean> {
    return this.#update(upload, (u) => ({ ...u, progress }));
  }

  /** The server has the file: keep the bytes for local reads, drop the session. */
  finish(upload: FileUpload, serverVersion?: string): Promise<boolean> {
    return this.#update(upload, ({ progress: _p, error: _e, serverVersion: _v, ...u }) => ({
      ...u,
      state: "uploaded",
      ...(serverVersion !== undefined ? { serverVersion } : {}),
    }));
  }

  /** The column's upload entry (any state), or undefined. */
  upload(entity: string, recordId: string, column: string): Promise<FileUpload | undefined> {
    return this.#db.uploads.get(uploadKey(entity, recordId, column));
  }

  /**
   * Drops an uploaded file the server has since replaced (set elsewhere): its bytes leave, and the
   * next read downloads the server's. Only an entry still "uploaded" with the same bytes goes.
   */
  async dropReplaced(upload: FileUpload): Promise<boolean> {
    return this.#update(upload, (u) => (u.state === "uploaded" ? undefined : u));
  }

  fail(upload: FileUpload, error: NonNullable<FileUpload["error"]>): Promise<boolean> {
    return this.#update(upload, ({ progress: _p, ...u }) => ({ ...u, state: "failed", error }));
  }

  /** A failed upload goes back in the queue, from byte 0. */
  async retry(id: string): Promise<void> {
    const current = await this.#db.uploads.get(id);
    if (current?.state !== "failed") throw xrmError("ObjectDoesNotExist", `No failed upload '${id}'.`);
    if (await this.#update(current, ({ error: _e, ...u }) => ({ ...u, state: "pending" }))) this.#changed();
  }

  /** Give up a failed or pending upload: the bytes leave the device. */
  async discard(id: string): Promise<void> {
    const current = await this.#db.uploads.get(id);
    if (!current) throw xrmError("ObjectDoesNotExist", `No upload '${id}'.`);
    if (await this.#update(current, () => undefined)) this.#changed();
  }
}
