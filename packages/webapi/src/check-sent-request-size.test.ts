import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { normalizeWrite, renderRequest, requestBytes } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { checkSentRequestSize, sentRequestBytes } from "./check-sent-request-size.ts";

const metadata = bundledMetadata();
const ID = "8d3f2a10-0000-4000-8000-000000000001";
const base64 = (n: number) => Buffer.alloc(n, 7).toString("base64");
const note = (kind: "create" | "update", body: string) =>
  normalizeWrite(
    metadata,
    {
      entityLogicalName: "annotation",
      ...(kind === "update" ? { id: ID } : {}),
      data: { subject: "Ünïcode", filename: "a.jpg", documentbody: body },
      mode: "offline",
      kind,
    },
    { maxUploadFileSize: 10_000_000, newId: () => ID },
  );

describe("the size of what sync sends for a write", () => {
  it("counts a body that goes inline exactly as the whole request, without rendering it", () => {
    // Up to one block (here 5,000 bytes), a note goes as one request with its body.
    for (const op of [note("create", base64(5000)), note("update", base64(4096))]) {
      expect(sentRequestBytes(metadata, op, 5000)).toBe(requestBytes(renderRequest(metadata, op)));
    }
  });

  it("counts an image given to an update exactly as the whole request, without rendering it", () => {
    const op = normalizeWrite(metadata, {
      entityLogicalName: "incident",
      id: ID,
      data: { title: "Ünïcode", entityimage: base64(9000) },
      mode: "offline",
      kind: "update",
    });
    expect(sentRequestBytes(metadata, op, 5000)).toBe(requestBytes(renderRequest(metadata, op)));
  });

  it("counts a body above one block by its largest block request, not whole", () => {
    const op = note("create", base64(1_000_000));
    const bytes = sentRequestBytes(metadata, op, 32 * 1024);
    // One block of 32 KB is 43,692 Base64 characters; the whole body would be 1,333,336.
    expect(bytes).toBeGreaterThan(43_692);
    expect(bytes).toBeLessThan(43_692 + 6000);
    expect(() => checkSentRequestSize(metadata, op, 64 * 1024, 32 * 1024)).not.toThrow();
    // Blocks bigger than the limit: refused, as each would be.
    expect(() => checkSentRequestSize(metadata, op, 64 * 1024, 64 * 1024)).toThrow(
      expect.objectContaining({ errorCode: 0x8004418a }),
    );
  });
});
