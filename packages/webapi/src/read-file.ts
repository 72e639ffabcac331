/**
 * `api.files.get`: a file set on this device wins; else the server's file, from the copy kept on
 * the device when it is still the record's file, else downloaded and kept. A note's body that came
 * with its row (pulled with `documentbody`, or written here), and an image written here that the
 * server doesn't have yet, are read from the row.
 */
import type { EntityMetadata } from "@xrm-offline/metadata";
import { base64ToBytes, isBlobRef, XrmError, xrmError } from "@xrm-offline/odata";
import type {
  DownloadedFile,
  FileUploadStore,
  LocalFile,
  OfflineStore,
  StoredRecord,
} from "@xrm-offline/store";
import type { DownloadedBytes, DownloadTarget } from "@xrm-offline/transport";

/** Downloads one file from the server (transport's `downloadFile`, loaded with the engine). */
export type FileDownloader = (target: DownloadTarget) => Promise<DownloadedBytes | null>;

export interface ReadFileParts {
  readonly store: OfflineStore;
  readonly files: FileUploadStore;
  readonly download: FileDownloader | undefined;
  /** Rejects when the device has no room for `bytes` more (device-storage.ts `requireRoom`). */
  readonly requireRoom: (bytes: number) => Promise<void>;
}

export interface FileTarget {
  readonly entity: EntityMetadata;
  readonly recordId: string;
  readonly column: string;
  readonly kind: DownloadTarget["kind"];
}

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * What the row says about its file: `null` — it has none; a string — the marker that changes with
 * the file (a file column's file id, an image column's image id, a note's ETag); undefined — the
 * row doesn't tell (a file column the metadata doesn't list, so the server's rows don't carry it).
 * A column the metadata has but the row lacks is null: pulls leave null values out.
 */
function markerOf(row: StoredRecord, target: FileTarget): string | null | undefined {
  if (target.kind === "attachment") return text(row["@odata.etag"]);
  const key = target.kind === "image" ? `${target.column}id` : target.column;
  if (!(key in row)) return target.entity.attribute(key) ? null : undefined;
  return text(row[key]) ?? null;
}

/**
 * The media type of an image by its first bytes (the formats Dataverse's image columns take), for
 * an image that never came from the server with a `Content-Type`.
 */
async function imageTypeOf(blob: Blob): Promise<string | undefined> {
  const b = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  const starts = (...bytes: number[]) => bytes.every((x, i) => b[i] === x);
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x42, 0x4d)) return "image/bmp";
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50)
    return "image/webp";
  return undefined;
}

/**
 * A value held by the row (BlobRef or Base64 text) — a note's body, or an image given to
 * createRecord/updateRecord here — with the row's sync state.
 */
async function bodyInRow(
  parts: ReadFileParts,
  row: StoredRecord,
  target: FileTarget,
): Promise<LocalFile | null> {
  const value = row[target.column];
  const blob = isBlobRef(value)
    ? await parts.store.blob(value["@xrm-offline.blob"])
    : typeof value === "string"
      ? new Blob([base64ToBytes(value) as Uint8Array<ArrayBuffer>])
      : undefined;
  if (!blob || blob.size === 0) return null;
  const change = row._changes.find((c) => c.columns.includes(target.column));
  const image = target.kind === "image" ? await imageTypeOf(blob) : undefined;
  return {
    blob,
    fileName: text(row.filename) ?? target.column,
    mimeType: image ?? text(row.mimetype) ?? "application/octet-stream",
    size: blob.size,
    state: change ? (change.failed ? "failed" : "pending") : "downloaded",
  };
}

const fromCopy = (copy: DownloadedFile): LocalFile => ({
  blob: copy.blob,
  fileName: copy.fileName,
  mimeType: copy.mimeType,
  size: copy.size,
  state: "downloaded",
});

/** No HTTP answer: the device is offline or the server out of reach. */
const unreachable = (e: unknown) => e instanceof XrmError && e.httpStatus === 0;

/**
 * A file uploaded from here that the server has since replaced: the pulled row shows another marker
 * than the one read back after the upload. Its bytes are dropped, so the read downloads the new file.
 */
async function replacedOnServer(
  parts: ReadFileParts,
  row: StoredRecord | undefined,
  target: FileTarget,
): Promise<boolean> {
  const entity = target.entity.logicalName;
  const upload = await parts.files.upload(entity, target.recordId, target.column);
  const marker = row ? markerOf(row, target) : undefined;
  if (!upload?.serverVersion || typeof marker !== "string" || marker === upload.serverVersion) return false;
  return parts.files.dropReplaced(upload);
}

export async function readFile(parts: ReadFileParts, target: FileTarget): Promise<LocalFile | null> {
  const entity = target.entity.logicalName;
  const { recordId, column } = target;
  const row = await parts.store.getRecordRow(entity, recordId);
  if (target.kind !== "attachment") {
    const local = await parts.files.file(entity, recordId, column);
    if (local && (local.state !== "uploaded" || !(await replacedOnServer(parts, row, target)))) return local;
  }
  if (!row || row._deleted) {
    throw xrmError("ObjectDoesNotExist", `Entity '${entity}' With Id = ${recordId} Does Not Exist`);
  }
  if (target.kind === "attachment" && column in row) return bodyInRow(parts, row, target);
  // An image given to createRecord/updateRecord on this device and not sent yet (or failed): the
  // record's image here is that one, not the server's (null when the change removed it).
  if (target.kind === "image" && row._changes.some((c) => c.columns.includes(column)))
    return bodyInRow(parts, row, target);
  // Created here and not on the server yet: the server has no file for it.
  if (row._server === null) return null;
  const marker = markerOf(row, target);
  if (marker === null) return null;
  const copy = await parts.files.downloaded(entity, recordId, column);
  // A copy is current while the row shows the file it was downloaded for (or doesn't say).
  if (copy && (marker === undefined || copy.version === marker)) return fromCopy(copy);
  if (!parts.download) {
    if (copy) return fromCopy(copy);
    throw xrmError(
      "NotSupported",
      `The file of ${entity} ${recordId} '${column}' is not on this device, and there is no server to download it from.`,
    );
  }
  let got: DownloadedBytes | null;
  try {
    got = await parts.download({
      entitySetName: target.entity.entitySetName,
      id: recordId,
      column,
      kind: target.kind,
    });
  } catch (e) {
    if (!unreachable(e)) throw e;
    // Offline: an older copy is better than none; without one, say what is missing.
    if (copy) return fromCopy(copy);
    throw xrmError(
      "ConnectionFailed",
      `The file of ${entity} ${recordId} '${column}' is not on this device and the server can't be reached.`,
    );
  }
  if (!got) {
    if (copy) await parts.files.dropDownloaded(entity, recordId, column);
    return null;
  }
  const file: LocalFile = {
    blob: got.blob,
    fileName: got.fileName ?? text(row[`${column}_name`]) ?? text(row.filename) ?? column,
    mimeType: got.mimeType ?? text(row.mimetype) ?? (got.blob.type || "application/octet-stream"),
    size: got.size,
    state: "downloaded",
  };
  try {
    await parts.requireRoom(got.size);
    await parts.files.keepDownloaded(
      { entity, recordId, column },
      {
        blob: file.blob,
        fileName: file.fileName,
        mimeType: file.mimeType,
        size: file.size,
        version: marker ?? null,
      },
    );
  } catch {
    // No room to keep it: the caller still gets the file, the next read downloads it again.
  }
  return file;
}
