/**
 * Where a downloaded copy of a record's file is kept in the `blobs` table (downloaded-files.ts):
 * apart from the `<entity>|<id>|` keys of binary values kept apart (binary-blobs.ts), found by prefix when the record goes.
 */
export const DOWNLOAD_PREFIX = "download|";

export const downloadKey = (entity: string, recordId: string, column: string): string =>
  `${DOWNLOAD_PREFIX}${entity}|${recordId}|${column}`;
