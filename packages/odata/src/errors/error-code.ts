/** "0x80040217" | 2147746327 | -2147220969 → 2147746327 (positive, unsigned 32-bit). */
export function toErrorCode(code: string | number): number {
  const n = typeof code === "number" ? code : Number.parseInt(code.replace(/^0x/i, ""), 16);
  return Number.isFinite(n) ? n >>> 0 : 0;
}

/** 2147746327 → "0x80040217" */
export function toHexCode(errorCode: number): string {
  return `0x${(errorCode >>> 0).toString(16).padStart(8, "0")}`;
}
