import type { ServerContext } from "../context.ts";
import { fail } from "../http/wire.ts";

/**
 * Delta tokens are `<row version>!<UTC time>` (Dataverse's look like `919042!08/22/2017 08:10:44`):
 * "every change with a higher version". A token is expired when it is below the floor (moved by
 * `expireDeltaTokens()`), above the current version (from another database), or garbled; all three
 * answer 0x80044352 ExpiredVersionStamp so a client falls back to a full resync.
 */
export function encodeDeltaToken(version: number): string {
  return `${version}!${new Date().toISOString().replace(/\.\d{3}Z$/, "Z")}`;
}

export function decodeDeltaToken(ctx: ServerContext, token: string): number {
  const m = /^(\d{1,15})!/.exec(token);
  const version = m ? Number(m[1]) : Number.NaN;
  if (
    !Number.isSafeInteger(version) ||
    version < ctx.deltaTokenFloor() ||
    version > ctx.store.currentVersion
  ) {
    throw fail("ExpiredVersionStamp");
  }
  return version;
}

export const DELTA_FLOOR_KEY = "deltaTokenFloor";
