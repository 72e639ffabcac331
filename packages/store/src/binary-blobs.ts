import type { Metadata } from "@xrm-offline/metadata";
import {
  BLOB_APART_MIN_CHARS,
  base64ToBytes,
  binaryColumns,
  blobRef,
  bytesToBase64,
  isBlobRef,
  type WriteOperation,
} from "@xrm-offline/odata";
import type { StoredBlob } from "./file-uploads.ts";

/**
 * A random tag that ends every blob id: the time and position a caller gives are not unique on
 * their own (two commits in one millisecond, a test's fixed clock, two tabs), and a blob put under
 * the id of one still referred to would replace bytes a queued change or `_server` still needs.
 */
function randomTag(): string {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return Array.from(words, (w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * A record's binary values (`binaryColumns`: a note's `documentbody`, an email attachment's `body`,
 * an image column's image) of 4 KB or more leave `columns`: the bytes become a Blob row each and the
 * columns hold a BlobRef. The blob id is `<entity>|<id>|<column>|<suffix>|<random>`: the prefix
 * lets the record's blobs be found and collected (drop-unreferenced-blobs.ts), `suffix` (the write's
 * time and position, or the server row's) says where it came from, the random tag makes it unique.
 */
export function binariesApart<T extends Readonly<Record<string, unknown>>>(
  metadata: Metadata,
  entity: string,
  id: string,
  columns: T,
  suffix: string,
): { readonly columns: T; readonly blobs: readonly StoredBlob[] } {
  let out: Record<string, unknown> | undefined;
  const blobs: StoredBlob[] = [];
  for (const column of binaryColumns(metadata, entity)) {
    const value = columns[column];
    if (typeof value !== "string" || value.length < BLOB_APART_MIN_CHARS) continue;
    const bytes = base64ToBytes(value);
    const blobId = `${entity}|${id}|${column}|${suffix}|${randomTag()}`;
    out ??= { ...columns };
    out[column] = blobRef(blobId, bytes.length);
    blobs.push({ id: blobId, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
  }
  return { columns: (out ?? columns) as T, blobs };
}

/** A write's binary values apart: the operation — so the row and the outbox entry — holds BlobRefs. */
export function blobsApart(
  metadata: Metadata,
  op: WriteOperation,
  suffix: string,
): { readonly operation: WriteOperation; readonly blobs: readonly StoredBlob[] } {
  if (op.kind === "delete") return { operation: op, blobs: [] };
  const apart = binariesApart(metadata, op.entityLogicalName, op.id, op.columns, suffix);
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
