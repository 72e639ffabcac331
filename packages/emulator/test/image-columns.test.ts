// Custom image columns (`new_photo`): known from the metadata as Dataverse shows them in CSDL
// (Edm.Binary with `<name>id`, `<name>_timestamp`, `<name>_url`), MaxSizeInKB 10,240 unless
// declared, never above 30,720.

import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";
import { client, idFromEntityId } from "./helpers.ts";

const image = (name: string) => [
  { name, type: "Edm.Binary" as const },
  { name: `${name}id`, type: "Edm.Guid" as const },
  { name: `${name}_timestamp`, type: "Edm.Int64" as const },
  { name: `${name}_url`, type: "Edm.String" as const },
];

const metadata = bundledMetadata().extend({
  entities: [
    {
      logicalName: "incident",
      attributes: [
        ...image("new_photo"),
        ...image("new_badge"),
        ...image("new_scan"),
        { name: "new_blob", type: "Edm.Binary" },
      ],
    },
  ],
});

function bytes(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) % 251;
  return b;
}

describe("custom image columns", () => {
  let emu: Emulator;
  let caseId: string;
  beforeAll(async () => {
    emu = await startEmulator({
      metadata,
      // new_badge raised to 20 MB; new_scan declared above Dataverse's 30,720 KB cap.
      fileColumns: { incident: { new_badge: { maxSizeInKB: 20_480 }, new_scan: { maxSizeInKB: 50_000 } } },
    });
    caseId = idFromEntityId(
      (await client(emu).post("incidents", { title: "Photos" })).headers.get("odata-entityid"),
    );
  });
  afterAll(() => emu.close());

  const patch = (path: string, headers: Record<string, string>, body?: Buffer) =>
    fetch(/^https?:/.test(path) ? path : `${emu.url}/${path}`, {
      method: "PATCH",
      headers,
      ...(body ? { body: new Uint8Array(body) } : {}),
    });

  /** Opens a chunked session on `column` and sends one small chunk announcing `total` bytes. */
  async function firstChunk(column: string, total: number) {
    const start = await patch(`incidents(${caseId})/${column}?x-ms-file-name=p.png`, {
      "x-ms-transfer-mode": "chunked",
    });
    expect(start.status).toBe(200);
    const res = await patch(
      start.headers.get("location")!,
      { "Content-Type": "application/octet-stream", "Content-Range": `bytes 0-99/${total}` },
      bytes(100),
    );
    const error = res.status === 400 ? (await res.json()).error : undefined;
    return { status: res.status, code: error?.code };
  }

  it("takes an image in one PATCH, shows it in the row with its companions, and serves ?size=full", async () => {
    const photo = bytes(5000, 1);
    const put = await patch(
      `incidents(${caseId})/new_photo`,
      { "Content-Type": "application/octet-stream", "x-ms-file-name": "site.png" },
      photo,
    );
    expect(put.status).toBe(204);
    const row = emu.row("incident", caseId)!;
    expect(row.new_photo).toBe(photo.toString("base64"));
    expect(row.new_photoid).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof row.new_photo_timestamp).toBe("number");
    expect(row.new_photo_url).toBe(
      `/Image/download.aspx?Entity=incident&Attribute=new_photo&Id=${row.new_photoid}&Timestamp=${row.new_photo_timestamp}`,
    );
    const full = await fetch(`${emu.url}/incidents(${caseId})/new_photo/$value?size=full`);
    expect(full.status).toBe(200);
    expect(full.headers.get("mimetype")).toBe("image/png");
    expect(Buffer.from(await full.arrayBuffer()).equals(photo)).toBe(true);

    expect((await fetch(`${emu.url}/incidents(${caseId})/new_photo`, { method: "DELETE" })).status).toBe(204);
    const cleared = emu.row("incident", caseId)!;
    expect([cleared.new_photo, cleared.new_photoid, cleared.new_photo_url]).toEqual([null, null, null]);
  });

  it("holds an image column to 10,240 KB by default, to its declared MaxSizeInKB, and never above 30,720 (ProcessImageFailure)", async () => {
    expect(await firstChunk("new_photo", 10_240 * 1024)).toEqual({ status: 206, code: undefined });
    expect(await firstChunk("new_photo", 10_240 * 1024 + 1)).toEqual({ status: 400, code: "0x80072553" });
    expect(await firstChunk("new_badge", 20_480 * 1024)).toEqual({ status: 206, code: undefined });
    expect(await firstChunk("new_badge", 20_480 * 1024 + 1)).toEqual({ status: 400, code: "0x80072553" });
    expect(await firstChunk("new_scan", 30_720 * 1024)).toEqual({ status: 206, code: undefined });
    expect(await firstChunk("new_scan", 30_720 * 1024 + 1)).toEqual({ status: 400, code: "0x80072553" });
  });

  it("answers an image over MaxSizeInKB in one PATCH with ProcessImageFailure and keeps the old one", async () => {
    const res = await patch(
      `incidents(${caseId})/new_photo`,
      { "Content-Type": "application/octet-stream", "x-ms-file-name": "huge.png" },
      Buffer.alloc(10_240 * 1024 + 1),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("0x80072553");
    expect(error.message).toBe(
      "Error occured when processing image. Reason: File size is too big. MaxSize: 10 MB, Uploaded filesize: 10 MB.",
    );
    expect(emu.row("incident", caseId)!.new_photoid ?? null).toBeNull();
  });

  it("stores an image set in a JSON update like an upload: companions, $value, MaxSizeInKB, null removes it", async () => {
    const api = client(emu);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), bytes(3000, 2)]);
    expect((await api.patch(`incidents(${caseId})`, { new_photo: png.toString("base64") })).status).toBe(204);
    const first = emu.row("incident", caseId)!;
    expect(first.new_photo).toBe(png.toString("base64"));
    expect(first.new_photoid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.new_photo_url).toBe(
      `/Image/download.aspx?Entity=incident&Attribute=new_photo&Id=${first.new_photoid}&Timestamp=${first.new_photo_timestamp}`,
    );
    const full = await fetch(`${emu.url}/incidents(${caseId})/new_photo/$value?size=full`);
    expect(full.status).toBe(200);
    expect(full.headers.get("mimetype")).toBe("image/png");
    expect(Buffer.from(await full.arrayBuffer()).equals(png)).toBe(true);

    // A new image is a new image id (the marker another device compares).
    expect(
      (await api.patch(`incidents(${caseId})`, { new_photo: bytes(100, 3).toString("base64") })).status,
    ).toBe(204);
    const second = emu.row("incident", caseId)!;
    expect(second.new_photoid).not.toBe(first.new_photoid);

    // Over MaxSizeInKB: refused, nothing changed (the other column in the same body included).
    const tooBig = await api.patch(`incidents(${caseId})`, {
      title: "Renamed",
      new_photo: Buffer.alloc(10_240 * 1024 + 1).toString("base64"),
    });
    expect(tooBig.status).toBe(400);
    expect((tooBig.json as { error: { code: string } }).error.code).toBe("0x80072553");
    const kept = emu.row("incident", caseId)!;
    expect([kept.title, kept.new_photoid]).toEqual(["Photos", second.new_photoid]);

    expect((await api.patch(`incidents(${caseId})`, { new_photo: null })).status).toBe(204);
    const cleared = emu.row("incident", caseId)!;
    expect([cleared.new_photo, cleared.new_photoid, cleared.new_photo_url]).toEqual([null, null, null]);
    expect((await fetch(`${emu.url}/incidents(${caseId})/new_photo/$value`)).status).toBe(404);
  });

  it("does not take a plain Edm.Binary column as an image column", async () => {
    const res = await patch(
      `incidents(${caseId})/new_blob`,
      { "Content-Type": "application/octet-stream", "x-ms-file-name": "b.bin" },
      bytes(10),
    );
    expect(res.status).not.toBe(204);
    expect(emu.row("incident", caseId)!.new_blob ?? null).toBeNull();
  });
});
