import { isBlobRef, type UploadTransfer } from "@xrm-offline/odata";
import { carriesBlob, withBlobsInline } from "@xrm-offline/store";
import type { RemoteBatchResult, RemotePort, RemoteResult, RemoteWrite } from "../ports.ts";
import type { UploadTracker } from "../uploads/upload-tracker.ts";
import type { NoteBlocksSender } from "./note-blocks.ts";

/** The attachment a write carries, as `status$.uploads` shows it (bytes of the Blob, not base64). */
function transferOf(write: RemoteWrite): UploadTransfer | undefined {
  const op = write.operation;
  if (op.kind === "delete") return undefined;
  for (const [column, value] of Object.entries(op.columns)) {
    if (!isBlobRef(value)) continue;
    const name = op.columns.filename;
    return {
      entity: op.entityLogicalName,
      recordId: op.id,
      column,
      fileName: typeof name === "string" ? name : "",
      sentBytes: 0,
      totalBytes: value.size,
    };
  }
  return undefined;
}

/**
 * Large note bodies in blocks: a note created or updated with a body of more than `aboveBytes` goes with the
 * block messages (note-blocks.ts), its bytes shown in `status$.uploads` block by block.
 */
export interface NoteBlocks {
  readonly aboveBytes: number;
  readonly send: NoteBlocksSender;
}

/**
 * A RemotePort that puts binary values kept as Blobs (notes' bodies, images) back into the writes as base64 at send
 * time (never earlier: the outbox holds only the reference), and sends every such write on its own,
 * never inside a `$batch` with other writes, so one large note doesn't make a batch of hundreds of
 * small writes slow and fragile. Such a write shows in `tracker` while it is on its way; its bytes
 * count as sent once the server acknowledges it (one request: there is nothing in between to tell).
 */
export function withInlineBlobs(
  remote: RemotePort,
  readBlob: (id: string) => Promise<Blob | undefined>,
  tracker?: UploadTracker,
  blocks?: NoteBlocks,
): RemotePort {
  const inline = async (write: RemoteWrite): Promise<RemoteWrite> => {
    if (!carriesBlob(write.operation) || write.operation.kind === "delete") return write;
    const columns = await withBlobsInline(write.operation.columns, readBlob);
    return { ...write, operation: { ...write.operation, columns } };
  };
  /** A note written with a body above `blocks.aboveBytes`: its body as a Blob, to go in blocks. */
  const inBlocks = async (write: RemoteWrite): Promise<Blob | undefined> => {
    const op = write.operation;
    if (!blocks || op.kind === "delete" || op.entityLogicalName !== "annotation") return undefined;
    const ref = op.columns.documentbody;
    if (!isBlobRef(ref) || ref.size <= blocks.aboveBytes) return undefined;
    return readBlob(ref["@xrm-offline.blob"]);
  };
  const sendAlone = async (write: RemoteWrite, signal: AbortSignal): Promise<RemoteResult> => {
    const transfer = tracker && transferOf(write);
    const body = await inBlocks(write);
    if (body) {
      if (transfer) tracker!.report(transfer);
      try {
        return await blocks!.send(
          write,
          body,
          (sentBytes) => transfer && tracker!.report({ ...transfer, sentBytes }),
          signal,
        );
      } finally {
        if (transfer) tracker!.end(transfer);
      }
    }
    if (!transfer) return remote.send(await inline(write), signal);
    tracker!.report(transfer);
    try {
      const result = await remote.send(await inline(write), signal);
      if (result.ok) tracker!.report({ ...transfer, sentBytes: transfer.totalBytes });
      return result;
    } finally {
      tracker!.end(transfer);
    }
  };
  return {
    ...remote,
    send: sendAlone,
    async sendBatch(writes, signal): Promise<RemoteBatchResult> {
      const solo = writes.map((w) => carriesBlob(w.operation));
      if (!solo.includes(true)) return remote.sendBatch(writes, signal);
      // Every attachment of the round shows as waiting from the start.
      const waiting = tracker ? writes.flatMap((w, i) => (solo[i] ? [transferOf(w)!] : [])) : [];
      for (const t of waiting) tracker!.report(t);
      try {
        const results: RemoteResult[] = new Array(writes.length);
        const plain = writes.flatMap((_, i) => (solo[i] ? [] : [i]));
        if (plain.length > 0) {
          const batch = await remote.sendBatch(
            plain.map((i) => writes[i]!),
            signal,
          );
          // A batch refused as a whole: each of its writes carries that request's error (its
          // retryability and unknown outcome included), so the engine treats them alike.
          plain.forEach((i, k) => {
            results[i] = batch.ok ? batch.results[k]! : { ok: false, error: batch.error };
          });
        }
        for (const [i, write] of writes.entries()) {
          if (solo[i]) results[i] = await sendAlone(write, signal);
        }
        return { ok: true, results };
      } finally {
        for (const t of waiting) tracker!.end(t);
      }
    },
  };
}
