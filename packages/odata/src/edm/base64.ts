/**
 * Base64 ⇄ bytes without Node's Buffer (this runs in browsers and workers). Work is done in
 * slices so a multi-megabyte attachment never builds one giant intermediate string of char codes.
 */
const SLICE = 0x8000;

/** Standard base64 (no URL alphabet, padding optional): is `text` well formed? */
export function isBase64(text: string): boolean {
  return text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && !/=[^=]/.test(text);
}

/** Decoded length of well-formed base64 text, without decoding it. */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const chars = text.length - padding;
  return Math.floor((chars * 3) / 4);
}

export function base64ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(base64ByteLength(text));
  let o = 0;
  // 4 characters decode to 3 bytes: slice on a multiple of 4.
  for (let i = 0; i < text.length; i += SLICE * 4) {
    const bin = atob(text.slice(i, i + SLICE * 4));
    for (let j = 0; j < bin.length; j++) out[o++] = bin.charCodeAt(j);
  }
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // 3 bytes encode to 4 characters: slice on a multiple of 3 so no padding lands mid-string.
  const step = SLICE * 3;
  for (let i = 0; i < bytes.length; i += step) {
    const slice = bytes.subarray(i, i + step);
    let bin = "";
    for (let j = 0; j < slice.length; j += 4096) {
      bin += String.fromCharCode(...slice.subarray(j, j + 4096));
    }
    parts.push(btoa(bin));
  }
  return parts.join("");
}
