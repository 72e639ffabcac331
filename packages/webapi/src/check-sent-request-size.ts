import type { Metadata } from "@xrm-offline/metadata";
import {
  ATTACHMENT_BODY_COLUMNS,
  base64ByteLength,
  binaryColumns,
  checkRequestBytes,
  renderRequest,
  requestBytes,
  type WriteOperation,
} from "@xrm-offline/odata";

/** A block id is at most 64 bytes before Base64 ("Use file column data"): at most 88 characters. */
const BLOCK_ID_CHARS = 88;
/** The server's FileContinuationToken, unknown until the upload starts: a generous allowance. */
const TOKEN_CHARS = 4096;

/**
 * The largest single request sync will send for `op`: the server's limit is on one request. A
 * note's body above one block (`noteBlockBytes`) goes with the block messages (sync's
 * note-blocks.ts): `InitializeAnnotationBlocksUpload` and `CommitAnnotationBlocksUpload` carry the
 * note without its body (the commit also the block ids), each `UploadBlock` one block as Base64 —
 * so such a body never counts whole. Any other binary value (a smaller body, an email
 * attachment's body, an image: `binaryColumns`) goes inline and counts by its length (Base64 is
 * ASCII: JSON carries it as is), so measuring doesn't copy it.
 */
export function sentRequestBytes(metadata: Metadata, op: WriteOperation, noteBlockBytes: number): number {
  if (op.kind === "delete") return requestBytes(renderRequest(metadata, op));
  const column = ATTACHMENT_BODY_COLUMNS[op.entityLogicalName];
  const body = column === undefined ? undefined : op.columns[column];
  if (column !== undefined && typeof body === "string" && op.entityLogicalName === "annotation") {
    const size = base64ByteLength(body);
    if (size > noteBlockBytes) return blockRequestBytes(metadata, op, column, size, noteBlockBytes);
  }
  const inline = binaryColumns(metadata, op.entityLogicalName).filter(
    (c) => typeof op.columns[c] === "string",
  );
  if (inline.length === 0) return requestBytes(renderRequest(metadata, op));
  const columns = { ...op.columns };
  let length = 0;
  for (const c of inline) {
    length += (op.columns[c] as string).length;
    columns[c] = "";
  }
  return requestBytes(renderRequest(metadata, { ...op, columns })) + length;
}

/** The largest request of a note sent with the block messages (its body never counts whole). */
function blockRequestBytes(
  metadata: Metadata,
  op: Exclude<WriteOperation, { kind: "delete" }>,
  column: string,
  size: number,
  noteBlockBytes: number,
): number {
  const { [column]: _body, ...columns } = op.columns;
  const target = {
    ...(renderRequest(metadata, { ...op, columns }).body as Record<string, unknown>),
    annotationid: op.id,
    "@odata.type": "Microsoft.Dynamics.CRM.annotation",
  };
  const post = (url: string, message: Record<string, unknown>) =>
    requestBytes({ method: "POST", url, headers: {}, body: message }) + TOKEN_CHARS;
  const blocks = Math.ceil(size / noteBlockBytes);
  const init = post("InitializeAnnotationBlocksUpload", { Target: target });
  const commit =
    post("CommitAnnotationBlocksUpload", { Target: target, BlockList: [], FileContinuationToken: "" }) +
    blocks * (BLOCK_ID_CHARS + 3);
  const block =
    post("UploadBlock", { BlockId: "", BlockData: "", FileContinuationToken: "" }) +
    BLOCK_ID_CHARS +
    4 * Math.ceil(noteBlockBytes / 3);
  return Math.max(init, commit, block);
}

/**
 * Throws RequestTooLarge (0x8004418a) when a request sync would send for `op` is larger than
 * `limit` bytes: the server would answer 413 for ever.
 */
export function checkSentRequestSize(
  metadata: Metadata,
  op: WriteOperation,
  limit: number,
  noteBlockBytes: number,
): void {
  checkRequestBytes(sentRequestBytes(metadata, op, noteBlockBytes), limit);
}
