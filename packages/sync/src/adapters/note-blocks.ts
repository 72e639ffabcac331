import type { Metadata } from "@xrm-offline/metadata";
import { bytesToBase64, renderRequest } from "@xrm-offline/odata";
import type { Transport } from "@xrm-offline/transport";
import type { RemoteResult, RemoteWrite } from "../ports.ts";
import { remoteError } from "./transport-remote-port.ts";

/** Sends a note's create with its body in blocks; `onProgress` gets the bytes the server took. */
export type NoteBlocksSender = (
  write: RemoteWrite,
  body: Blob,
  onProgress: (sentBytes: number) => void,
  signal: AbortSignal,
) => Promise<RemoteResult>;

/** Same length for every block of a file, as the docs ask ("must be the same size for each block"). */
const blockId = (n: number) => btoa(`xrm-offline-block-${String(n).padStart(8, "0")}`);

/**
 * A note created with a large body, as *Use file data with Attachment and Note records* recommends
 * above ~4 MB: `InitializeAnnotationBlocksUpload` with the note's other columns (its `annotationid`
 * set: "To create a new annotation with these messages you must generate a new Guid"), one
 * `UploadBlock` per `blockBytes` of the body (read one slice at a time: the body is never whole in
 * memory as Base64), then `CommitAnnotationBlocksUpload`, which writes the note. Sent again after a
 * lost answer, the commit finds the note and updates it with the same values: exactly once in
 * effect. A send that stops midway starts a new session next time (blocks are not resumed).
 */
export function noteBlocksSender(
  transport: Transport,
  metadata: Metadata,
  options: { readonly blockBytes: number },
): NoteBlocksSender {
  return async (write, body, onProgress, signal) => {
    const op = write.operation;
    if (op.kind !== "create" || op.entityLogicalName !== "annotation") {
      throw new TypeError("Only a note's create is sent in blocks.");
    }
    const { documentbody: _body, ...columns } = op.columns;
    try {
      const target = {
        ...(renderRequest(metadata, { ...op, columns }).body as Record<string, unknown>),
        annotationid: op.id,
        "@odata.type": "Microsoft.Dynamics.CRM.annotation",
      };
      const init = await transport.send(
        { method: "POST", url: "InitializeAnnotationBlocksUpload", headers: {}, body: { Target: target } },
        { signal },
      );
      const token = (init.body as { FileContinuationToken?: unknown } | undefined)?.FileContinuationToken;
      if (typeof token !== "string" || token === "") {
        throw new TypeError("InitializeAnnotationBlocksUpload answered without a FileContinuationToken.");
      }
      const ids: string[] = [];
      for (let offset = 0; offset < body.size; offset += options.blockBytes) {
        const end = Math.min(body.size, offset + options.blockBytes);
        const data = bytesToBase64(new Uint8Array(await body.slice(offset, end).arrayBuffer()));
        const id = blockId(ids.length);
        await transport.send(
          {
            method: "POST",
            url: "UploadBlock",
            headers: {},
            body: { BlockId: id, BlockData: data, FileContinuationToken: token },
          },
          { signal },
        );
        ids.push(id);
        onProgress(end);
      }
      const commit = await transport.send(
        {
          method: "POST",
          url: "CommitAnnotationBlocksUpload",
          headers: {},
          body: { Target: target, BlockList: ids, FileContinuationToken: token },
        },
        { signal },
      );
      return { ok: true, status: commit.status };
    } catch (error) {
      return { ok: false, error: remoteError(error) };
    }
  };
}
