import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import { type Client, client, idFromEntityId } from "./helpers.ts";

/** Deterministic bytes (0..250 repeating, so a misplaced chunk shows). */
function bytes(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

async function raw(
  emu: Emulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
) {
  const url = /^https?:/.test(path) ? path : `${emu.url}/${path}`;
  const res = await fetch(url, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) });
  const buf = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get("content-type") ?? "").includes("json")
    ? JSON.parse(buf.toString("utf8"))
    : undefined;
  return { status: res.status, headers: res.headers, body: buf, json };
}

const FILE_COLUMNS = { incident: { new_report: {}, new_small: { maxSizeInKB: 1 } } };

describe("file and image columns over HTTP", () => {
  let emu: Emulator;
  let api: Client;
  let contactId: string;
  let caseId: string;
  beforeAll(async () => {
    emu = await startEmulator({ fileColumns: FILE_COLUMNS, maxAttachmentBytes: 2048 });
    api = client(emu);
    contactId = idFromEntityId(
      (await api.post("contacts", { lastname: "Image" })).headers.get("odata-entityid"),
    );
    caseId = idFromEntityId((await api.post("incidents", { title: "Files" })).headers.get("odata-entityid"));
  });
  afterAll(() => emu.close());

  it("uploads an image in one PATCH, downloads it whole and by range, and deletes it", async () => {
    const image = bytes(10_000);
    const put = await raw(
      emu,
      "PATCH",
      `contacts(${contactId})/entityimage`,
      {
        "Content-Type": "application/octet-stream",
        "x-ms-file-name": "face.png",
      },
      image,
    );
    expect(put.status).toBe(204);
    const row = emu.row("contact", contactId)!;
    expect(row.entityimageid).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.entityimage).toBe(image.toString("base64"));

    const whole = await raw(emu, "GET", `contacts(${contactId})/entityimage/$value`, {});
    expect(whole.status).toBe(200);
    expect(whole.headers.get("x-ms-file-size")).toBe("10000");
    expect(whole.headers.get("x-ms-file-name")).toBe("face.png");
    expect(whole.headers.get("mimetype")).toBe("image/png");
    expect(whole.body.equals(image)).toBe(true);

    const part = await raw(emu, "GET", `contacts(${contactId})/entityimage/$value`, {
      Range: "bytes=100-1099",
    });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100-1099/10000");
    expect(part.body.equals(image.subarray(100, 1100))).toBe(true);

    expect((await raw(emu, "DELETE", `contacts(${contactId})/entityimage`, {})).status).toBe(204);
    const gone = await raw(emu, "GET", `contacts(${contactId})/entityimage/$value`, {});
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe("0x80040217");
    expect(emu.row("contact", contactId)!.entityimageid).toBeNull();
  });

  it("takes a chunked upload in any order, a chunk sent twice included", async () => {
    const file = bytes(10_000, 3);
    const start = await raw(emu, "PATCH", `incidents(${caseId})/new_report?x-ms-file-name=report.pdf`, {
      "x-ms-transfer-mode": "chunked",
    });
    expect(start.status).toBe(200);
    expect(start.headers.get("x-ms-chunk-size")).toBe(String(4 * 1024 * 1024));
    const location = start.headers.get("location")!;
    expect(location).toMatch(new RegExp(`/incidents\\(${caseId}\\)/new_report\\?sessiontoken=`));
    const chunk = (from: number, to: number) =>
      raw(
        emu,
        "PATCH",
        location,
        {
          "Content-Type": "application/octet-stream",
          "x-ms-file-name": "report.pdf",
          "Content-Range": `bytes ${from}-${to}/10000`,
        },
        file.subarray(from, to + 1),
      );
    expect((await chunk(4000, 7999)).status).toBe(206);
    expect((await chunk(0, 3999)).status).toBe(206);
    expect((await chunk(0, 3999)).status).toBe(206);
    expect((await chunk(8000, 9999)).status).toBe(204);

    const got = await raw(emu, "GET", `incidents(${caseId})/new_report/$value`, {});
    expect(got.headers.get("mimetype")).toBe("application/pdf");
    expect(got.body.equals(file)).toBe(true);
    const id = await api.get(`incidents(${caseId})/new_report`);
    expect(id.json.value).toMatch(/^[0-9a-f-]{36}$/);
    // The session is closed: its token no longer takes chunks.
    const late = await chunk(0, 3999);
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe("0x80040203");
  });

  it("refuses a file over the column's MaxSizeInKB with 0x80044a02 and stores nothing", async () => {
    const single = await raw(
      emu,
      "PATCH",
      `incidents(${caseId})/new_small`,
      {
        "Content-Type": "application/octet-stream",
        "x-ms-file-name": "big.bin",
      },
      bytes(1025),
    );
    expect(single.status).toBe(400);
    expect(single.json.error.code).toBe("0x80044a02");
    const start = await raw(emu, "PATCH", `incidents(${caseId})/new_small?x-ms-file-name=big.bin`, {
      "x-ms-transfer-mode": "chunked",
    });
    const chunk = await raw(
      emu,
      "PATCH",
      start.headers.get("location")!,
      {
        "Content-Type": "application/octet-stream",
        "Content-Range": "bytes 0-99/2048",
      },
      bytes(100),
    );
    expect(chunk.json.error.code).toBe("0x80044a02");
    expect((await raw(emu, "GET", `incidents(${caseId})/new_small/$value`, {})).status).toBe(404);
  });

  it("answers a Range past the end of the file with 416 and the file's size", async () => {
    const file = bytes(1000, 9);
    const put = await raw(
      emu,
      "PATCH",
      `incidents(${caseId})/new_report`,
      { "Content-Type": "application/octet-stream", "x-ms-file-name": "r.txt" },
      file,
    );
    expect(put.status).toBe(204);
    const path = `incidents(${caseId})/new_report/$value`;
    const past = await raw(emu, "GET", path, { Range: "bytes=1000-1999" });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */1000");
    expect(past.body.length).toBe(0);
    // A range that starts inside the file is cut at its end, not refused.
    const tail = await raw(emu, "GET", path, { Range: "bytes=900-1999" });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe("bytes 900-999/1000");
    expect(tail.body.equals(file.subarray(900))).toBe(true);
  });

  it("refuses a chunk above x-ms-chunk-size with 0x80090008, and the session goes on", async () => {
    const size = 6 * 1024 * 1024;
    const file = bytes(size, 4);
    const start = await raw(emu, "PATCH", `incidents(${caseId})/new_report?x-ms-file-name=big.bin`, {
      "x-ms-transfer-mode": "chunked",
    });
    const location = start.headers.get("location")!;
    const chunk = (from: number, to: number) =>
      raw(
        emu,
        "PATCH",
        location,
        { "Content-Type": "application/octet-stream", "Content-Range": `bytes ${from}-${to}/${size}` },
        file.subarray(from, to + 1),
      );
    const whole = await chunk(0, size - 1);
    expect(whole.status).toBe(400);
    expect(whole.json.error.code).toBe("0x80090008");
    expect(whole.json.error.message).toBe(
      "Invalid file chunk size: 6 MB. Maximum chunk size supported: 4 MB.",
    );
    expect((await chunk(0, 4 * 1024 * 1024 - 1)).status).toBe(206);
    expect((await chunk(4 * 1024 * 1024, size - 1)).status).toBe(204);
    const got = await raw(emu, "GET", `incidents(${caseId})/new_report/$value`, {});
    expect(got.body.equals(file)).toBe(true);
  });

  it("answers bad uploads with 400 and a code, never 500", async () => {
    const cases: [string, string, Record<string, string>][] = [
      ["PATCH", `incidents(${caseId})/new_report`, { "Content-Type": "application/octet-stream" }],
      ["PATCH", `incidents(${caseId})/new_report?sessiontoken=nope`, { "Content-Range": "bytes 0-0/1" }],
      ["PATCH", `incidents(${caseId})/new_report?x-ms-file-name=a.txt`, { "x-ms-transfer-mode": "chunked" }],
    ];
    const codes: number[] = [];
    for (const [method, path, headers] of cases)
      codes.push((await raw(emu, method, path, headers, Buffer.from("x"))).status);
    // The third one opens a session (200); the first two are client mistakes.
    expect(codes).toEqual([400, 400, 200]);
    const session = (
      await raw(emu, "PATCH", `incidents(${caseId})/new_report?x-ms-file-name=a.txt`, {
        "x-ms-transfer-mode": "chunked",
      })
    ).headers.get("location")!;
    for (const range of [undefined, "bytes 5-1/10", "bytes 0-20/10", "items 0-1/2"]) {
      const r = await raw(emu, "PATCH", session, range ? { "Content-Range": range } : {}, Buffer.from("ab"));
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe("0x80040203");
    }
    const mismatch = await raw(emu, "PATCH", session, { "Content-Range": "bytes 0-9/10" }, Buffer.from("ab"));
    expect(mismatch.json.error.code).toBe("0x80040203");
    const missing = await raw(
      emu,
      "PATCH",
      `incidents(00000000-0000-0000-0000-000000000001)/new_report`,
      { "x-ms-file-name": "a" },
      Buffer.from("a"),
    );
    expect(missing.status).toBe(404);
  });

  it("limits note attachments to the org's MaxUploadFileSize and stamps filesize", async () => {
    const before = emu.count("annotation");
    const big = await api.post("annotations", {
      subject: "big",
      filename: "b.bin",
      documentbody: bytes(2049).toString("base64"),
    });
    expect(big.status).toBe(400);
    expect(big.json.error!.code).toBe("0x80044a02");
    const notBase64 = await api.post("annotations", { subject: "x", documentbody: "not base64!" });
    expect(notBase64.json.error!.code).toBe("0x80040203");
    expect(emu.count("annotation")).toBe(before);
    const ok = await api.post("annotations", {
      subject: "ok",
      filename: "a.bin",
      mimetype: "application/octet-stream",
      documentbody: bytes(2048).toString("base64"),
      "objectid_incident@odata.bind": `/incidents(${caseId})`,
    });
    expect(ok.status).toBe(204);
    const note = emu.row("annotation", idFromEntityId(ok.headers.get("odata-entityid")))!;
    expect(note.filesize).toBe(2048);
  });
});

describe("the block messages, across a restart", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "xrm-files-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uploads blocks, survives a restart mid-upload, commits, downloads by block and deletes by file id", async () => {
    const database = join(dir, "files.sqlite");
    const file = bytes(9_000, 5);
    const blocks = [file.subarray(0, 4000), file.subarray(4000, 8000), file.subarray(8000)];
    const blockIds = ["a", "b", "c"].map((c) => Buffer.from(`block-${c}`).toString("base64"));
    let emu = await startEmulator({ database, fileColumns: FILE_COLUMNS });
    let api = client(emu);
    const caseId = idFromEntityId(
      (await api.post("incidents", { title: "Blocks" })).headers.get("odata-entityid"),
    );
    const target = { incidentid: caseId, "@odata.type": "Microsoft.Dynamics.CRM.incident" };
    const init = await api.post("InitializeFileBlocksUpload", {
      Target: target,
      FileName: "site.jpg",
      FileAttributeName: "new_report",
    });
    expect(init.status).toBe(200);
    const token = init.json.FileContinuationToken as string;
    for (const i of [0, 1]) {
      const r = await api.post("UploadBlock", {
        BlockId: blockIds[i],
        BlockData: blocks[i]!.toString("base64"),
        FileContinuationToken: token,
      });
      expect(r.status).toBe(204);
    }
    await emu.close();
    emu = await startEmulator({ database, fileColumns: FILE_COLUMNS });
    api = client(emu);
    expect(
      (
        await api.post("UploadBlock", {
          BlockId: blockIds[2],
          BlockData: blocks[2]!.toString("base64"),
          FileContinuationToken: token,
        })
      ).status,
    ).toBe(204);
    const commit = await api.post("CommitFileBlocksUpload", {
      FileName: "site.jpg",
      MimeType: "image/jpeg",
      BlockList: blockIds,
      FileContinuationToken: token,
    });
    expect(commit.status).toBe(200);
    expect(commit.json.FileSizeInBytes).toBe(9000);
    const fileId = commit.json.FileId as string;

    const down = await api.post("InitializeFileBlocksDownload", {
      Target: target,
      FileAttributeName: "new_report",
    });
    expect(down.json).toMatchObject({
      FileSizeInBytes: 9000,
      FileName: "site.jpg",
      IsChunkingSupported: true,
    });
    const parts: Buffer[] = [];
    for (let offset = 0; offset < 9000; offset += 4096) {
      const b = await api.post("DownloadBlock", {
        Offset: offset,
        BlockLength: 4096,
        FileContinuationToken: down.json.FileContinuationToken,
      });
      parts.push(Buffer.from(b.json.Data as string, "base64"));
    }
    expect(Buffer.concat(parts).equals(file)).toBe(true);

    const missingBlock = await api.post("CommitFileBlocksUpload", {
      FileName: "x",
      BlockList: ["eg=="],
      FileContinuationToken: token,
    });
    expect(missingBlock.json.error!.code).toBe("0x80040203");
    expect((await api.post("DeleteFile", { FileId: fileId })).status).toBe(204);
    expect((await api.post("DeleteFile", { FileId: fileId })).status).toBe(404);
    await emu.close();
  });
});
