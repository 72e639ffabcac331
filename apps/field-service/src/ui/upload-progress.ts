import type { SyncStatus } from "@xrm-offline/webapi";

type Uploads = SyncStatus["uploads"];

/**
 * The share (0–100) of each listed record's attachment the server has acknowledged, from
 * `status$.uploads`: a note's body goes either in one request (0 until it is acknowledged) or in
 * blocks (after every block). Records of other tables, and empty bodies, are left out.
 */
export function uploadPercents(uploads: Uploads, entity: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const u of uploads) {
    if (u.entity !== entity || !(u.totalBytes > 0)) continue;
    out.set(u.recordId, (100 * Math.min(u.sentBytes, u.totalBytes)) / u.totalBytes);
  }
  return out;
}

/** Whether two `status$.uploads` lists differ in what a screen shows (a file, or its bytes). */
export function uploadsChanged(a: Uploads | undefined, b: Uploads | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return true;
  return x.some((u, i) => {
    const v = y[i]!;
    return (
      u.entity !== v.entity ||
      u.recordId !== v.recordId ||
      u.column !== v.column ||
      u.sentBytes !== v.sentBytes ||
      u.totalBytes !== v.totalBytes
    );
  });
}
