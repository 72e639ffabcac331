import {
  ATTACHMENT_BODY_COLUMNS,
  BLOB_APART_MIN_CHARS,
  base64ToBytes,
  blobRef,
  bytesToBase64,
  isBlobRef,
  type WriteOperation,
} from "@xrm-offline/odata";
import type { StoredBlob } from "./file-uploads.ts";

/**
 * A record's attachment body (a note's `documentbody`, an email attachment's `body`) of 4 KB or
 * more leaves `columns`: the bytes become a Blob row and the columns hold a BlobRef. The blob id
 * starts with `<entity>|<id>|` (so the record's blobs can be found and collected, see
 * blob-gc.ts); `uniqueSuffix` makes it unique per write or per server row.
 */
export function bodyApart<T extends Readonly<Record<string, unknown>>>(
  entity: string,
  id: string,
  columns: T,
  uniqueSuffix: string,
): { readonly columns: T; readonly blobs: readonly StoredBlob[] } {
  const column = ATTACHMENT_BODY_COLUMNS[entity];
  const body = column === undefined ? undefined : columns[column];
  if (column === undefined || typeof body !== "string" || body.length < BLOB_APART_MIN_CHARS) {
    return { columns, blobs: [] };
  }
  const bytes = base64ToBytes(body);
  const blobId = `${entity}|${id}|${column}|${uniqueSuffix}`;
  return {
    columns: { ...columns, [column]: blobRef(blobId, bytes.length) },
    blobs: [{ id: blobId, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) }],
  };
}

/** A write's attachment body apart: the operation — so the row and the outbox entry — holds a BlobRef. */
export function blobsApart(
  op: WriteOperation,
  uniqueSuffix: string,
): { readonly operation: WriteOperation; readonly blobs: readonly StoredBlob[] } {
  if (op.kind === "delete") return { operation: op, blobs: [] };
  const apart = bodyApart(op.entityLogicalName, op.id, op.columns, uniqueSuffix);
  return apart.blobs.length === 0
    ? { operation: op, blobs: [] }
    : { operation: { ...op, columns: apart.columns }, blobs: apart.blobs };
}

/** Base64 text back in place of every BlobRef of `record` (what Dataverse returns for the column). */
export async function withBlobsInline<T extends Readonly<Record<string, unknown>>>(
  record: T,
  readBlob: (id: string) => Promise<Blob | undefined>,
): Promise<T> {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (!isBlobRef(value)) continue;
    const blob = await readBlob(value["@xrm-offline.blob"]);
    out ??= { ...record };
    out[key] = blob ? bytesToBase64(new Uint8Array(await blob.arrayBuffer())) : null;
  }
  return (out ?? record) as T;
}

/** Does this operation carry a BlobRef (so it is sent on its own, never inside a `$batch`)? */
export function carriesBlob(op: WriteOperation): boolean {
  return op.kind !== "delete" && Object.values(op.columns).some(isBlobRef);
}
