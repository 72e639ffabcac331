// The block messages of notes, as "Use file data with Attachment and Note records" (Microsoft
// Learn, developer/data-platform/attachment-annotation-files.md) describes them over the Web API:
// InitializeAnnotationBlocksUpload → FileContinuationToken; UploadBlock per block (≤ 4 MB, BlockId
// ≤ 64 bytes before Base64); CommitAnnotationBlocksUpload with Target and BlockList (its order is
// the file's) → AnnotationId, FileSizeInBytes; InitializeAnnotationBlocksDownload → FileName,
// FileSizeInBytes, FileContinuationToken; DownloadBlock with Offset and BlockLength → Data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import { type Client, client, idFromEntityId } from "./helpers.ts";

function bytes(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

const blockId = (n: number) => Buffer.from(`block-${String(n).padStart(6, "0")}`).toString("base64");

describe("note block messages over HTTP", () => {
  let emu: Emulator;
  let api: Client;
  let caseId: string;
  beforeAll(async () => {
    emu = await startEmulator({ maxAttachmentBytes: 10_000 });
    api = client(emu);
    caseId = idFromEntityId((await api.post("incidents", { title: "Notes" })).headers.get("odata-entityid"));
  });
  afterAll(() => emu.close());

  const target = (id: string, extra: Record<string, unknown> = {}) => ({
    annotationid: id,
    subject: "large PDF file",
    filename: "25mb.pdf",
    mimetype: "application/pdf",
    "@odata.type": "Microsoft.Dynamics.CRM.annotation",
    ...extra,
  });

  async function upload(id: string, blocks: readonly Buffer[], extra: Record<string, unknown> = {}) {
    const init = await api.post("InitializeAnnotationBlocksUpload", { Target: target(id, extra) });
    expect(init.status).toBe(200);
    const token = init.json.FileContinuationToken as string;
    // Out of order on purpose: BlockList decides the order.
    for (const i of [...blocks.keys()].reverse()) {
      const r = await api.post("UploadBlock", {
        BlockId: blockId(i),
        BlockData: blocks[i]!.toString("base64"),
        FileContinuationToken: token,
      });
      expect(r.status).toBe(204);
    }
    return api.post("CommitAnnotationBlocksUpload", {
      Target: target(id, extra),
      BlockList: blocks.map((_, i) => blockId(i)),
      FileContinuationToken: token,
    });
  }

  it("creates a note from blocks, then updates it the same way, and downloads it in blocks", async () => {
    const id = "5e6a7b8c-0000-4000-8000-000000000001";
    const body = bytes(7000, 1);
    const commit = await upload(
      id,
      [body.subarray(0, 3000), body.subarray(3000, 6000), body.subarray(6000)],
      {
        "objectid_incident@odata.bind": `/incidents(${caseId})`,
      },
    );
    expect(commit.status).toBe(200);
    expect(commit.json).toMatchObject({ AnnotationId: id, FileSizeInBytes: 7000 });
    expect(commit.json["@odata.context"]).toMatch(
      /#Microsoft\.Dynamics\.CRM\.CommitAnnotationBlocksUploadResponse$/,
    );
    expect(emu.row("annotation", id)).toMatchObject({
      subject: "large PDF file",
      filename: "25mb.pdf",
      mimetype: "application/pdf",
      filesize: 7000,
      documentbody: body.toString("base64"),
      _objectid_value: caseId,
    });

    // "This is how you can update existing annotation records": the same id, a new body.
    const next = bytes(2500, 2);
    const again = await upload(id, [next], { subject: "replaced" });
    expect(again.json).toMatchObject({ AnnotationId: id, FileSizeInBytes: 2500 });
    expect(emu.row("annotation", id)).toMatchObject({
      subject: "replaced",
      documentbody: next.toString("base64"),
    });

    const init = await api.post("InitializeAnnotationBlocksDownload", {
      Target: { annotationid: id, "@odata.type": "Microsoft.Dynamics.CRM.annotation" },
    });
    expect(init.status).toBe(200);
    expect(init.json).toMatchObject({ FileSizeInBytes: 2500, FileName: "25mb.pdf" });
    const parts: Buffer[] = [];
    for (let offset = 0; offset < 2500; offset += 1000) {
      const block = await api.post("DownloadBlock", {
        Offset: offset,
        BlockLength: 1000,
        FileContinuationToken: init.json.FileContinuationToken,
      });
      expect(block.status).toBe(200);
      parts.push(Buffer.from(block.json.Data as string, "base64"));
    }
    expect(Buffer.concat(parts)).toEqual(next);
  });

  it("refuses what Dataverse refuses, writing nothing", async () => {
    const noId = await api.post("InitializeAnnotationBlocksUpload", {
      Target: { subject: "x", "@odata.type": "Microsoft.Dynamics.CRM.annotation" },
    });
    expect([noId.status, noId.json.error?.code]).toEqual([400, "0x80040203"]);

    const id = "5e6a7b8c-0000-4000-8000-000000000002";
    // Over the org's MaxUploadFileSize (10,000 bytes here): 0x80044a02, no note.
    const big = await upload(id, [bytes(6000), bytes(6000)]);
    expect([big.status, big.json.error?.code]).toEqual([400, "0x80044a02"]);
    expect(emu.row("annotation", id)).toBeUndefined();

    // A block that was never uploaded.
    const init = await api.post("InitializeAnnotationBlocksUpload", { Target: target(id) });
    const missing = await api.post("CommitAnnotationBlocksUpload", {
      Target: target(id),
      BlockList: [blockId(9)],
      FileContinuationToken: init.json.FileContinuationToken,
    });
    expect([missing.status, missing.json.error?.code]).toEqual([400, "0x80040203"]);
    expect(emu.row("annotation", id)).toBeUndefined();

    const absent = await api.post("InitializeAnnotationBlocksDownload", {
      Target: { annotationid: id, "@odata.type": "Microsoft.Dynamics.CRM.annotation" },
    });
    expect([absent.status, absent.json.error?.code]).toEqual([404, "0x80040217"]);
  });
});
