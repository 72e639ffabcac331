import { describe, expect, it } from "vitest";
import { createTransport } from "./create-transport.ts";
import { downloadFile } from "./download-file.ts";

const ROOT = "https://org.example/api/data/v9.2";
const FILE = Uint8Array.from({ length: 10 }, (_, i) => i * 3);

/** A server that answers `$value` GETs: by range (206), whole (200), or as `answer` says. */
function server(answer?: (range: string | null, url: string) => Response | undefined) {
  const seen: { url: string; range: string | null }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    const range = new Headers(init?.headers).get("range");
    seen.push({ url: String(url), range });
    const custom = answer?.(range, String(url));
    if (custom) return custom;
    const m = /^bytes=(\d+)-(\d+)$/.exec(range ?? "");
    const [a, b] = m ? [Number(m[1]), Math.min(Number(m[2]), FILE.length - 1)] : [0, FILE.length - 1];
    return new Response(FILE.slice(a, b + 1), {
      status: m ? 206 : 200,
      headers: {
        "x-ms-file-size": String(FILE.length),
        "x-ms-file-name": "r%C3%A9sum%C3%A9.pdf",
        mimetype: "application/pdf",
        ...(m ? { "Content-Range": `bytes ${a}-${b}/${FILE.length}` } : {}),
      },
    });
  }) as typeof fetch;
  return { seen, transport: createTransport({ serverUrl: ROOT, fetch: fetchImpl }) };
}

const target = { entitySetName: "incidents", id: "1", column: "new_report", kind: "file" } as const;
const bytesOf = async (b: Blob | undefined) => new Uint8Array(await b!.arrayBuffer());

describe("downloadFile", () => {
  it("asks for ranges until the size the first answer gave, and joins the parts", async () => {
    const { seen, transport } = server();
    const progress: [number, number][] = [];
    const got = await downloadFile(transport, target, {
      chunkBytes: 4,
      onProgress: (r, t) => progress.push([r, t]),
    });
    expect(seen.map((s) => s.range)).toEqual(["bytes=0-3", "bytes=4-7", "bytes=8-9"]);
    expect(seen[0]!.url).toBe(`${ROOT}/incidents(1)/new_report/$value`);
    expect(progress).toEqual([
      [4, 10],
      [8, 10],
      [10, 10],
    ]);
    expect(got).toMatchObject({ size: 10, fileName: "résumé.pdf", mimeType: "application/pdf" });
    expect(await bytesOf(got?.blob)).toEqual(FILE);
  });

  it("takes a whole-file 200 from a server that ignores Range; images ask for the full size", async () => {
    const { seen, transport } = server((range) =>
      range ? new Response(FILE, { status: 200, headers: { "x-ms-file-size": "10" } }) : undefined,
    );
    const got = await downloadFile(
      transport,
      { ...target, kind: "image", column: "entityimage" },
      { chunkBytes: 4 },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${ROOT}/incidents(1)/entityimage/$value?size=full`);
    expect(await bytesOf(got?.blob)).toEqual(FILE);
  });

  it("no file: null for 204 and 404; an empty file for 416 on bytes */0", async () => {
    const none = server(() => new Response(null, { status: 204 }));
    expect(await downloadFile(none.transport, target)).toBeNull();
    const missing = server(
      () =>
        new Response(JSON.stringify({ error: { code: "0x80040217", message: "No file" } }), {
          status: 404,
          headers: { "Content-Type": "application/json" },
        }),
    );
    expect(await downloadFile(missing.transport, target)).toBeNull();
    const empty = server(
      () => new Response(null, { status: 416, headers: { "Content-Range": "bytes */0" } }),
    );
    const got = await downloadFile(empty.transport, target);
    expect(got?.size).toBe(0);
  });

  it("refuses a part of the wrong length (a retryable error, nothing kept)", async () => {
    const { transport } = server((range) =>
      range === "bytes=4-7"
        ? new Response(FILE.slice(4, 6), {
            status: 206,
            headers: { "x-ms-file-size": "10", "Content-Range": "bytes 4-5/10" },
          })
        : undefined,
    );
    const error = await downloadFile(transport, target, { chunkBytes: 4 }).catch((e) => e);
    expect(error).toMatchObject({ kind: "protocol", errorCode: 0x80040216, retryable: true });
  });

  it("a note's body: InitializeAnnotationBlocksDownload, then DownloadBlock until the size", async () => {
    const calls: { url: string; body: Record<string, unknown> }[] = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
      calls.push({ url: String(url), body });
      const json = String(url).endsWith("InitializeAnnotationBlocksDownload")
        ? { FileSizeInBytes: 10, FileName: "sig.png", FileContinuationToken: "t1" }
        : {
            Data: Buffer.from(
              FILE.slice(body.Offset as number, (body.Offset as number) + (body.BlockLength as number)),
            ).toString("base64"),
          };
      return new Response(JSON.stringify(json), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    }) as typeof fetch;
    const transport = createTransport({ serverUrl: ROOT, fetch: fetchImpl });
    const got = await downloadFile(
      transport,
      { entitySetName: "annotations", id: "2", column: "documentbody", kind: "attachment" },
      { chunkBytes: 4 },
    );
    expect(calls.map((c) => [c.url.slice(ROOT.length + 1), c.body])).toEqual([
      [
        "InitializeAnnotationBlocksDownload",
        { Target: { annotationid: "2", "@odata.type": "Microsoft.Dynamics.CRM.annotation" } },
      ],
      ["DownloadBlock", { Offset: 0, BlockLength: 4, FileContinuationToken: "t1" }],
      ["DownloadBlock", { Offset: 4, BlockLength: 4, FileContinuationToken: "t1" }],
      ["DownloadBlock", { Offset: 8, BlockLength: 2, FileContinuationToken: "t1" }],
    ]);
    expect(got).toMatchObject({ size: 10, fileName: "sig.png" });
    expect(await bytesOf(got?.blob)).toEqual(FILE);
  });

  it("an email attachment's body: its Base64 $value decoded to bytes", async () => {
    const { seen, transport } = server(
      () => new Response(Buffer.from(FILE).toString("base64"), { status: 200 }),
    );
    const got = await downloadFile(transport, {
      entitySetName: "activitymimeattachments",
      id: "3",
      column: "body",
      kind: "attachment",
    });
    expect(seen.map((s) => [s.url, s.range])).toEqual([
      [`${ROOT}/activitymimeattachments(3)/body/$value`, null],
    ]);
    expect(await bytesOf(got?.blob)).toEqual(FILE);
  });
});
