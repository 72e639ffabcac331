import type { Metadata } from "@xrm-offline/metadata";
import { bytesToBase64, isBlobRef, renderRequest, xrmError } from "@xrm-offline/odata";
import { noteBlocksKey } from "@xrm-offline/store";
import type { Transport } from "@xrm-offline/transport";
import type { RemoteResult, RemoteWrite } from "../ports.ts";
import { remoteError } from "./transport-remote-port.ts";

/** Sends a note's create or update with its body in blocks; `onProgress` gets the bytes the server took. */
export type NoteBlocksSender = (
  write: RemoteWrite,
  body: Blob,
  onProgress: (sentBytes: number) => void,
  signal: AbortSignal,
) => Promise<RemoteResult>;

/** Same length for every block of a file, as the docs ask ("must be the same size for each block"). */
const blockId = (n: number) => btoa(`xrm-offline-block-${String(n).padStart(8, "0")}`);

/**
 * Where a note's block upload got, kept across reloads (the store's `meta` table): the session and
 * how many blocks the server took. Block ids follow from the block's number, so a resumed upload
 * sends only the blocks after them and commits the same list. The key is the note's id, so the
 * body's Blob id is saved too: a session left behind by a change that failed for good and was
 * discarded must not be resumed by a later change of the same size (its commit would write the
 * old body's blocks). The sender never clears it: the store deletes the entry in the transaction
 * that settles the change (acknowledged), discards its failure or deletes the note
 * (note-block-sessions.ts in @xrm-offline/store), so a failure kept for a retry still resumes.
 */
export interface NoteBlocksProgress {
  load(key: string): Promise<unknown>;
  save(key: string, value: unknown): Promise<void>;
}

interface Saved {
  readonly token: string;
  /** The body's Blob id (`@xrm-offline.blob`), unique per write; "" for a body given without one. */
  readonly blob: string;
  readonly blockBytes: number;
  readonly size: number;
  readonly blocks: number;
}

function savedOf(value: unknown, blob: string, blockBytes: number, size: number): Saved | undefined {
  const v = value as Partial<Saved> | null | undefined;
  return typeof v?.token === "string" &&
    v.blob === blob &&
    v.blockBytes === blockBytes &&
    v.size === size &&
    Number.isSafeInteger(v.blocks) &&
    (v.blocks as number) >= 0
    ? (v as Saved)
    : undefined;
}

/** A session the server no longer knows (a 4xx to a resumed block or commit): start again once. */
const forgotten = (error: unknown) => {
  const status = (error as { status?: number }).status ?? 0;
  return status >= 400 && status < 500;
};

/**
 * A note created or updated with a large body, as *Use file data with Attachment and Note records* recommends
 * above ~4 MB: `InitializeAnnotationBlocksUpload` with the note's other columns (its `annotationid`
 * set: "To create a new annotation with these messages you must generate a new Guid"), one
 * `UploadBlock` per `blockBytes` of the body (read one slice at a time: the body is never whole in
 * memory as Base64), then `CommitAnnotationBlocksUpload`, which writes the note. Sent again after a
 * lost answer, the commit finds the note and updates it with the same values: exactly once in
 * effect. With `progress`, the session and the blocks the server took are saved after each block:
 * after a dropped connection, a crash or a reload the upload goes on with the next block. An update
 * first reads the note (`$select=annotationid`): gone → the 404 an update gets; another version
 * than the change's `If-Match` → 412 0x80060882, as the server would answer the update (a change
 * between that read and the commit is not caught: the messages take no ETag).
 */
export function noteBlocksSender(
  transport: Transport,
  metadata: Metadata,
  options: { readonly blockBytes: number; readonly progress?: NoteBlocksProgress },
): NoteBlocksSender {
  const { blockBytes, progress } = options;
  return async (write, body, onProgress, signal) => {
    const op = write.operation;
    if (op.kind === "delete" || op.entityLogicalName !== "annotation") {
      throw new TypeError("Only a note's create or update is sent in blocks.");
    }
    const { documentbody: ref, ...columns } = op.columns;
    const blob = isBlobRef(ref) ? ref["@xrm-offline.blob"] : "";
    const key = noteBlocksKey(op.id);
    const save = (blocks: number, token: string) =>
      progress?.save(key, { token, blob, blockBytes, size: body.size, blocks } satisfies Saved);
    try {
      const target = {
        ...(renderRequest(metadata, { ...op, columns }).body as Record<string, unknown>),
        annotationid: op.id,
        "@odata.type": "Microsoft.Dynamics.CRM.annotation",
      };
      const initialize = async (): Promise<string> => {
        const init = await transport.send(
          { method: "POST", url: "InitializeAnnotationBlocksUpload", headers: {}, body: { Target: target } },
          { signal },
        );
        const token = (init.body as { FileContinuationToken?: unknown } | undefined)?.FileContinuationToken;
        if (typeof token !== "string" || token === "") {
          throw new TypeError("InitializeAnnotationBlocksUpload answered without a FileContinuationToken.");
        }
        await save(0, token);
        return token;
      };
      const count = Math.ceil(body.size / blockBytes);
      const ids = Array.from({ length: count }, (_, n) => blockId(n));
      const saved = savedOf(await progress?.load(key), blob, blockBytes, body.size);
      // The commit creates a note it doesn't find: an update first makes sure the server still has
      // it (an update with If-Match: * never brings a deleted record back), with its version when
      // the change was made against one (conflict detection).
      if (op.kind === "update" && saved === undefined) {
        const current = await transport.send(
          { method: "GET", url: `annotations(${op.id})?$select=annotationid`, headers: {} },
          { signal },
        );
        if (write.ifMatch !== undefined && write.ifMatch !== "*" && current.etag !== write.ifMatch) {
          const e = xrmError("ConcurrencyVersionMismatch");
          return {
            ok: false,
            error: {
              status: 412,
              errorCode: e.errorCode,
              message: e.message,
              retryable: false,
              outcomeUnknown: false,
            },
          };
        }
      }
      let resumed = saved !== undefined;
      let token = saved?.token ?? (await initialize());
      let n = Math.min(saved?.blocks ?? 0, count);
      if (n > 0) onProgress(Math.min(body.size, n * blockBytes));
      for (;;) {
        try {
          for (; n < count; n++) {
            const end = Math.min(body.size, (n + 1) * blockBytes);
            const data = bytesToBase64(new Uint8Array(await body.slice(n * blockBytes, end).arrayBuffer()));
            await transport.send(
              {
                method: "POST",
                url: "UploadBlock",
                headers: {},
                body: { BlockId: ids[n], BlockData: data, FileContinuationToken: token },
              },
              { signal },
            );
            resumed = false;
            await save(n + 1, token);
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
          // The saved session leaves with the acknowledgement, in the store's settle transaction.
          return { ok: true, status: commit.status };
        } catch (error) {
          // The server forgot the session we resumed (expired, restarted): once more from byte 0.
          if (!resumed || !forgotten(error)) throw error;
          resumed = false;
          token = await initialize();
          n = 0;
          onProgress(0);
        }
      }
    } catch (error) {
      return { ok: false, error: remoteError(error) };
    }
  };
}
