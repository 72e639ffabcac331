import { carriesBlob, withBlobsInline } from "@xrm-offline/store";
import type { RemoteBatchResult, RemotePort, RemoteResult, RemoteWrite } from "../ports.ts";

/**
 * A RemotePort that puts attachment bodies kept as Blobs back into the writes as base64 at send
 * time (never earlier: the outbox holds only the reference), and sends every such write on its own,
 * never inside a `$batch` with other writes, so one large note doesn't make a batch of hundreds of
 * small writes slow and fragile.
 */
export function withInlineBlobs(
  remote: RemotePort,
  readBlob: (id: string) => Promise<Blob | undefined>,
): RemotePort {
  const inline = async (write: RemoteWrite): Promise<RemoteWrite> => {
    if (!carriesBlob(write.operation) || write.operation.kind === "delete") return write;
    const columns = await withBlobsInline(write.operation.columns, readBlob);
    return { ...write, operation: { ...write.operation, columns } };
  };
  return {
    ...remote,
    async send(write, signal) {
      return remote.send(await inline(write), signal);
    },
    async sendBatch(writes, signal): Promise<RemoteBatchResult> {
      const solo = writes.map((w) => carriesBlob(w.operation));
      if (!solo.includes(true)) return remote.sendBatch(writes, signal);
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
        if (solo[i]) results[i] = await remote.send(await inline(write), signal);
      }
      return { ok: true, results };
    },
  };
}
