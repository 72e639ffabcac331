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
 * A write's attachment body (a note's `documentbody`, an email attachment's `body`) of 4 KB or
 * more leaves the operation: the bytes become a Blob row and the operation — so the record row and
 * the outbox entry — holds a BlobRef. `uniqueSuffix` makes the blob id unique per write.
 */
export function blobsApart(
  op: WriteOperation,
  uniqueSuffix: string,
): { readonly operation: WriteOperation; readonly blobs: readonly StoredBlob[] } {
  if (op.kind === "delete") return { operation: op, blobs: [] };
  const column = ATTACHMENT_BODY_COLUMNS[op.entityLogicalName];
  const body = column === undefined ? undefined : op.columns[column];
  if (column === undefined || typeof body !== "string" || body.length < BLOB_APART_MIN_CHARS) {
    return { operation: op, blobs: [] };
  }
  const bytes = base64ToBytes(body);
  const id = `${op.entityLogicalName}|${op.id}|${column}|${uniqueSuffix}`;
  return {
    operation: { ...op, columns: { ...op.columns, [column]: blobRef(id, bytes.length) } },
    blobs: [{ id, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) }],
  };
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
