/**
 * A record's file- and image-column files leave the device with the record: its uploads (pending,
 * failed or uploaded) and their bytes, and the copies downloaded from the server
 * (downloaded-files.ts), all found by the `<entity>|<id>|` prefix of their keys.
 */
import { DOWNLOAD_PREFIX } from "./download-key.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/**
 * Deletes the files of `records`. Call it inside the `rw` transaction (uploads, blobs) that deletes
 * those records, so a delete that commits leaves no bytes behind and one that aborts keeps them.
 */
export async function dropRecordFiles(
  db: XrmDatabase,
  records: Iterable<readonly [string, string]>,
): Promise<void> {
  for (const [entity, id] of records) {
    const prefix = `${entity}|${id}|`;
    const uploads = await db.uploads.where(":id").startsWith(prefix).toArray();
    const downloaded = await db.blobs.where(":id").startsWith(`${DOWNLOAD_PREFIX}${prefix}`).primaryKeys();
    const blobIds = [...uploads.map((u) => u.blobId), ...downloaded];
    if (uploads.length > 0) await db.uploads.bulkDelete(uploads.map((u) => u.id));
    if (blobIds.length > 0) await db.blobs.bulkDelete(blobIds);
  }
}
