/**
 * Files set on other devices or on the server, downloaded on first read and kept in the `blobs`
 * table under `download|<entity>|<id>|<column>` (never the `<entity>|<id>|` prefix of a note's
 * body blobs, which drop-unreferenced-blobs.ts collects). The row carries what the record showed
 * when the file was downloaded (`version`), so a read can tell a copy the server has replaced.
 * A record's copies leave with the record (drop-record-files.ts).
 */
import { downloadKey } from "./download-key.ts";
import type { StoredBlob } from "./file-uploads.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/** A downloaded copy of a record's file, image or note body. */
export interface DownloadedFile extends StoredBlob {
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  /**
   * The record's marker of the file when it was downloaded: a file column's file id, an image
   * column's image id, a note's ETag; null when the row had none.
   */
  readonly version: string | null;
  /** ISO time of the download. */
  readonly downloadedAt: string;
}

export async function readDownloaded(
  db: XrmDatabase,
  entity: string,
  recordId: string,
  column: string,
): Promise<DownloadedFile | undefined> {
  const row = await db.blobs.get(downloadKey(entity, recordId, column));
  return row && "downloadedAt" in row ? (row as DownloadedFile) : undefined;
}

/**
 * Keeps a downloaded copy, replacing an older one, in one transaction with the checks that make
 * it worth keeping: the record is still on the device and not deleted here, and no file was set
 * here for the column meanwhile (that one wins). Resolves with whether it was kept.
 */
export async function keepDownloaded(
  db: XrmDatabase,
  target: { readonly entity: string; readonly recordId: string; readonly column: string },
  file: Omit<DownloadedFile, "id">,
): Promise<boolean> {
  const { entity, recordId, column } = target;
  return db.transaction("rw", [db.records, db.blobs, db.uploads], async () => {
    const row = await db.records.get([entity, recordId]);
    if (!row || row._deleted) return false;
    if (await db.uploads.get(`${entity}|${recordId}|${column}`)) return false;
    await db.blobs.put({ ...file, id: downloadKey(entity, recordId, column) } as DownloadedFile);
    return true;
  });
}

/** Drops a copy the server has replaced or removed. */
export async function dropDownloaded(
  db: XrmDatabase,
  entity: string,
  recordId: string,
  column: string,
): Promise<void> {
  await db.blobs.delete(downloadKey(entity, recordId, column));
}
