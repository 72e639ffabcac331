/**
 * Files set on other devices or on the server, downloaded on first read and kept in the `blobs`
 * table under `download|<entity>|<id>|<column>` (never the `<entity>|<id>|` prefix of a note's
 * body blobs, which drop-unreferenced-blobs.ts collects).
 */
export const DOWNLOAD_PREFIX = "download|";
