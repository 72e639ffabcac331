import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { createTransport, type UploadProgress, uploadFile } from "@xrm-offline/transport";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) % 251;
  return b;
}

async function download(emu: Emulator, path: string): Promise<Uint8Array> {
  const res = await fetch(`${emu.url}/${path}/$value`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

describe("uploadFile against the emulator", () => {
  let emu: Emulator;
  let caseId: string;
  beforeAll(async () => {
    emu = await startEmulator({ fileColumns: { incident: { new_report: {} } } });
    [caseId] = emu.seed("incident", [{ title: "Upload" }]) as [string];
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.requestLog.clear());

  const target = (column = "new_report") => ({
    entitySetName: "incidents",
    id: caseId,
    column,
    fileName: "rapport d'été.pdf",
    mimeType: "application/pdf",
  });

  it("sends a small file in one PATCH", async () => {
    const transport = createTransport({ serverUrl: emu.url });
    const file = bytes(3000, 1);
    await uploadFile(transport, target(), new Blob([file]));
    expect(emu.requestLog.entries().map((e) => e.method)).toEqual(["PATCH"]);
    expect(await download(emu, `incidents(${caseId})/new_report`)).toEqual(file);
    const head = await fetch(`${emu.url}/incidents(${caseId})/new_report/$value`, { method: "GET" });
    expect(decodeURIComponent(head.headers.get("x-ms-file-name") ?? "")).toBe("rapport d'été.pdf");
    expect(head.headers.get("mimetype")).toBe("application/pdf");
  });

  it("sends a big file in chunks and resumes after a crash without resending finished chunks", async () => {
    const transport = createTransport({ serverUrl: emu.url });
    const file = new Blob([bytes(10_000, 2)]);
    const saved: UploadProgress[] = [];
    // The "crash": persisting the progress after the first chunk throws, as a killed tab would stop.
    await expect(
      uploadFile(transport, target(), file, {
        singleRequestMaxBytes: 1000,
        maxChunkBytes: 4096,
        onProgress: (p) => {
          saved.push(p);
          if (p.sentBytes > 0) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(saved.map((p) => p.sentBytes)).toEqual([0, 4096]);
    expect(saved[0]!.chunkSize).toBe(4 * 1024 * 1024);

    // Resume from what was saved, as a reloaded app would.
    emu.requestLog.clear();
    const resumed: number[] = [];
    await uploadFile(transport, target(), file, {
      resume: saved[1]!,
      maxChunkBytes: 4096,
      onProgress: (p) => {
        resumed.push(p.sentBytes);
      },
    });
    expect(resumed).toEqual([8192, 10_000]);
    const ranges = emu.requestLog.entries().map((e) => e.headers["content-range"]);
    expect(ranges).toEqual(["bytes 4096-8191/10000", "bytes 8192-9999/10000"]);
    expect(await download(emu, `incidents(${caseId})/new_report`)).toEqual(bytes(10_000, 2));
  });

  it("starts a new session when the server has forgotten the resumed one", async () => {
    const transport = createTransport({ serverUrl: emu.url });
    const file = new Blob([bytes(5000, 3)]);
    const forgotten: UploadProgress = {
      location: `${emu.url}/incidents(${caseId})/new_report?sessiontoken=gone`,
      chunkSize: 4096,
      sentBytes: 4096,
    };
    await uploadFile(transport, target(), file, { resume: forgotten, maxChunkBytes: 8192 });
    const methods = emu.requestLog
      .entries()
      .map((e) => `${e.status} ${e.headers["content-range"] ?? e.headers["x-ms-transfer-mode"]}`);
    expect(methods).toEqual(["400 bytes 4096-4999/5000", "200 chunked", "204 bytes 0-4999/5000"]);
    expect(await download(emu, `incidents(${caseId})/new_report`)).toEqual(bytes(5000, 3));
  });

  it("keeps the server's refusal: a file over MaxSizeInKB fails with 0x80044a02", async () => {
    const small = await startEmulator({ fileColumns: { incident: { new_report: { maxSizeInKB: 1 } } } });
    try {
      const [id] = small.seed("incident", [{ title: "small" }]) as [string];
      const transport = createTransport({ serverUrl: small.url });
      const error = await uploadFile(transport, { ...target(), id }, new Blob([bytes(2000, 4)])).catch(
        (e) => e,
      );
      expect(error.errorCode).toBe(0x80044a02);
      expect(error.status).toBe(400);
    } finally {
      await small.close();
    }
  });
});
