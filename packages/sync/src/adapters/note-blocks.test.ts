import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { blobRef, type WebApiRequest } from "@xrm-offline/odata";
import { type Transport, TransportError } from "@xrm-offline/transport";
import { describe, expect, it } from "vitest";
import type { RemoteWrite } from "../ports.ts";
import { noteBlocksSender } from "./note-blocks.ts";

const NOTE = "9f0c3b9e-5a41-4a4e-9d56-1f6d2b7c0a11";
const metadata = bundledMetadata();

/** An update of the note's body, kept as the Blob `blobId` (a new id for each write, as the store does). */
function bodyUpdate(blobId: string, size: number): RemoteWrite {
  return {
    operation: {
      kind: "update",
      entityLogicalName: "annotation",
      entitySetName: "annotations",
      id: NOTE,
      columns: { subject: "Signature", documentbody: blobRef(blobId, size) },
      lookups: [],
    },
    ifMatch: "*",
    returnEtag: false,
  };
}

/**
 * The block messages answered as Dataverse does (a new token per session); `commitFails` refuses
 * the next commits with a 400, as for a lookup to a record that is gone.
 */
function fakeServer() {
  const sent: { url: string; block?: string; data?: string; token?: string }[] = [];
  let sessions = 0;
  let commitFails = 0;
  const transport = {
    serviceRoot: "https://org.example/api/data/v9.2/",
    send: async (request: WebApiRequest) => {
      const body = request.body as Record<string, string> | undefined;
      sent.push({
        url: request.url,
        ...(body?.BlockId ? { block: atob(body.BlockId), data: atob(body.BlockData!) } : {}),
        ...(body?.FileContinuationToken ? { token: body.FileContinuationToken } : {}),
      });
      if (request.method === "GET") return { status: 200, headers: {}, body: { annotationid: NOTE } };
      if (request.url === "InitializeAnnotationBlocksUpload") {
        return { status: 200, headers: {}, body: { FileContinuationToken: `token-${++sessions}` } };
      }
      if (request.url === "CommitAnnotationBlocksUpload" && commitFails > 0) {
        commitFails--;
        throw new TransportError({
          kind: "http",
          code: "0x80040203",
          message: "refused",
          status: 400,
          retryable: false,
        });
      }
      return { status: request.url === "UploadBlock" ? 204 : 200, headers: {}, body: undefined };
    },
  } as unknown as Transport;
  return { transport, sent, failNextCommit: () => void commitFails++ };
}

function memoryProgress() {
  const saved = new Map<string, unknown>();
  return {
    saved,
    load: async (key: string) => saved.get(key),
    save: async (key: string, v: unknown) => void saved.set(key, v),
  };
}

const signal = new AbortController().signal;

describe("noteBlocksSender resume", () => {
  it("never resumes another body's session: a new body of the same size starts a new upload", async () => {
    const server = fakeServer();
    const progress = memoryProgress();
    const send = noteBlocksSender(server.transport, metadata, { blockBytes: 4, progress });
    // Body "aaaaaaaaaa" goes in full, then its commit is refused for good (the change is then
    // discarded by the user): the saved session stays behind with every block sent.
    server.failNextCommit();
    const refused = await send(
      bodyUpdate("annotation|n|documentbody|1", 10),
      new Blob(["aaaaaaaaaa"]),
      () => {},
      signal,
    );
    expect(refused).toMatchObject({ ok: false, error: { status: 400, retryable: false } });
    server.sent.length = 0;

    // A later change with another body of the same size: its own session, its own bytes.
    const result = await send(
      bodyUpdate("annotation|n|documentbody|2", 10),
      new Blob(["bbbbbbbbbb"]),
      () => {},
      signal,
    );
    expect(result).toEqual({ ok: true, status: 200 });
    expect(server.sent).toEqual([
      { url: `annotations(${NOTE})?$select=annotationid` },
      { url: "InitializeAnnotationBlocksUpload" },
      { url: "UploadBlock", block: "xrm-offline-block-00000000", data: "bbbb", token: "token-2" },
      { url: "UploadBlock", block: "xrm-offline-block-00000001", data: "bbbb", token: "token-2" },
      { url: "UploadBlock", block: "xrm-offline-block-00000002", data: "bb", token: "token-2" },
      { url: "CommitAnnotationBlocksUpload", token: "token-2" },
    ]);
    // The commit leaves the session as it was: the store deletes it when it settles the change
    // as acknowledged (note-block-sessions.ts), so the sender writes nothing after the commit.
    expect(progress.saved.get(`note-blocks:${NOTE}`)).toEqual({
      token: "token-2",
      blob: "annotation|n|documentbody|2",
      blockBytes: 4,
      size: 10,
      blocks: 3,
    });
  });

  it("resumes the same body's session after the blocks the server took", async () => {
    const server = fakeServer();
    const progress = memoryProgress();
    const send = noteBlocksSender(server.transport, metadata, { blockBytes: 4, progress });
    const write = bodyUpdate("annotation|n|documentbody|1", 10);
    server.failNextCommit();
    await send(write, new Blob(["aaaaaaaaaa"]), () => {}, signal);
    server.sent.length = 0;

    // The change is retried: its session goes on at the commit (every block was taken).
    const result = await send(write, new Blob(["aaaaaaaaaa"]), () => {}, signal);
    expect(result).toEqual({ ok: true, status: 200 });
    expect(server.sent).toEqual([{ url: "CommitAnnotationBlocksUpload", token: "token-1" }]);
  });
});
