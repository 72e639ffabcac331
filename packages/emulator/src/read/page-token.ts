import { queryError } from "../http/wire.ts";

/** Where the next page starts: after id `k` (keyset, default order) or at offset `o`; `s` = change-tracking snapshot. */
export interface PageToken {
  readonly k?: string;
  readonly o?: number;
  readonly s?: number;
}

/** Opaque `$skiptoken`: base64url JSON. Clients must not build or read it. */
export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

export function decodePageToken(text: string): PageToken {
  try {
    const raw = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    if (typeof raw === "object" && raw !== null) {
      const t = raw as Record<string, unknown>;
      const okK = t.k === undefined || typeof t.k === "string";
      const okO = t.o === undefined || (typeof t.o === "number" && Number.isInteger(t.o) && t.o >= 0);
      const okS = t.s === undefined || (typeof t.s === "number" && Number.isInteger(t.s) && t.s >= 0);
      if (okK && okO && okS) return t as PageToken;
    }
  } catch {
    // fall through
  }
  throw queryError(`The $skiptoken '${text}' is not valid.`);
}
