import { xrmError } from "@xrm-offline/odata";

/**
 * The access-token provider of a harness started with `auth`: the emulator accepts one token, and
 * the provider hands it out until the test expires it. An expired provider returns a stale token
 * (the server answers 401) until the client asks again with `forceRefresh`, which is what a real
 * token cache does when a token runs out between two requests.
 */
export interface TokenSwitch {
  /** The token the server accepts. */
  readonly token: string;
  /** Every call of the provider, in order (`forceRefresh` true for a forced refresh). */
  readonly calls: readonly { readonly forceRefresh: boolean; readonly stale: boolean }[];
  /**
   * The token runs out: from the next call (or after `afterCalls` more good ones), the provider
   * returns a stale token until it is asked with `forceRefresh`.
   */
  expire(options?: { readonly afterCalls?: number }): void;
  /** What createWebApi's `getAccessToken` option calls. */
  readonly provider: (options?: { readonly forceRefresh?: boolean }) => string;
}

export function createTokenSwitch(token: string): TokenSwitch {
  const calls: { forceRefresh: boolean; stale: boolean }[] = [];
  // Good tokens still to hand out before the expiry takes effect; null: not expired.
  let goodLeft: number | null = null;
  let generation = 0;
  return {
    token,
    calls,
    expire(options = {}) {
      const after = options.afterCalls ?? 0;
      if (!Number.isInteger(after) || after < 0) {
        throw xrmError(
          "InvalidArgument",
          `afterCalls must be a whole number ≥ 0, got ${String(options.afterCalls)}.`,
        );
      }
      goodLeft = after;
    },
    provider(options) {
      const forceRefresh = options?.forceRefresh === true;
      if (forceRefresh) goodLeft = null;
      let stale = false;
      if (goodLeft !== null) {
        if (goodLeft > 0) goodLeft--;
        else stale = true;
      }
      calls.push({ forceRefresh, stale });
      if (stale) return `stale-${token}-${++generation}`;
      return token;
    },
  };
}
