import { BehaviorSubject, type Observable } from "rxjs";

/**
 * The test's hand on the network. Off means both things a device sees when the network drops:
 * the connectivity signal says offline (the sync engine stops pushing), and every HTTP request
 * fails before it leaves the machine, the way fetch fails without a network — so
 * `Xrm.WebApi.online.*` calls and anything else that talks to the server fail too, instead of
 * quietly reaching the emulator.
 */
export interface NetworkSwitch {
  readonly online: boolean;
  /** What createWebApi's `connectivity` option watches. */
  readonly connectivity: Observable<boolean>;
  /** A fetch that reaches the server only while the switch is on. */
  readonly fetch: typeof fetch;
  set(online: boolean): void;
  /** Requests refused because the switch was off. */
  readonly refused: number;
}

/** The error fetch raises without a network (Node's undici shape: a TypeError with a cause code). */
function networkDown(): TypeError {
  const cause = Object.assign(new Error("getaddrinfo ENETUNREACH (network switched off by the test)"), {
    code: "ENETUNREACH",
  });
  return new TypeError("fetch failed", { cause });
}

export function createNetworkSwitch(initiallyOnline: boolean, inner: typeof fetch = fetch): NetworkSwitch {
  const state = new BehaviorSubject(initiallyOnline);
  let refused = 0;
  const gated: typeof fetch = (input, init) => {
    if (!state.value) {
      refused++;
      return Promise.reject(networkDown());
    }
    return inner(input, init);
  };
  return {
    get online() {
      return state.value;
    },
    connectivity: state.asObservable(),
    fetch: gated,
    set(online: boolean) {
      if (state.value !== online) state.next(online);
    },
    get refused() {
      return refused;
    },
  };
}
