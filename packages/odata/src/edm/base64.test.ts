import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64ByteLength, base64ToBytes, bytesToBase64, isBase64 } from "./base64.ts";

describe("base64", () => {
  it("round-trips any bytes exactly as Node's Buffer encodes them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300_000 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64ByteLength(text)).toBe(bytes.length);
        expect(isBase64(text)).toBe(true);
        expect(Buffer.from(base64ToBytes(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("tells base64 from other text", () => {
    expect(["", "QQ==", "QUI=", "QUJD"].map(isBase64)).toEqual([true, true, true, true]);
    expect(["Q", "QQ=A", "not base64!", "QUJD-_", "Q==="].map(isBase64)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
