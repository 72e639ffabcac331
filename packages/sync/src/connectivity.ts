import { distinctUntilChanged, Observable, shareReplay } from "rxjs";
import { systemClock } from "./clock.ts";
import type { Clock, ConnectivityPort } from "./ports.ts";

export interface ConnectivityOptions {
  /** Where `online` / `offline` events fire; default `globalThis` when it has `addEventListener`. */
  readonly events?: Pick<EventTarget, "addEventListener" | "removeEventListener"> | null;
  /** What the platform believes; default `navigator.onLine`, or true where there is no navigator. */
  readonly onLine?: () => boolean;
  /**
   * Is the server reachable? A phone's "online" is often a captive portal or a dead cell, so an
   * `online` event (and the start) is confirmed with a cheap request before it counts.
   */
  readonly probe?: (signal: AbortSignal) => Promise<boolean>;
  /** While the probe says unreachable (but the platform says online), probe again this often. Default 30 s. */
  readonly probeIntervalMs?: number;
  readonly clock?: Clock;
}

/**
 * Connectivity as an rxjs stream: the platform's `online`/`offline` events, confirmed by a probe
 * of the server. `offline` counts at once (nothing to confirm); `online` counts once the probe
 * answers. Emits the current value to every subscriber (shared, replayed), distinct values only.
 */
export function createConnectivity(options: ConnectivityOptions = {}): ConnectivityPort {
  const events = options.events === undefined ? defaultEvents() : options.events;
  const onLine = options.onLine ?? defaultOnLine;
  const probe = options.probe;
  const clock = options.clock ?? systemClock;
  const interval = options.probeIntervalMs ?? 30_000;

  return new Observable<boolean>((subscriber) => {
    const stop = new AbortController();
    let generation = 0;

    /** Decide from the platform, then the probe; re-probe while unreachable. */
    const check = async () => {
      const mine = ++generation;
      while (!stop.signal.aborted && mine === generation) {
        if (!onLine()) {
          subscriber.next(false);
          return; // the `online` event starts a new check
        }
        if (!probe) {
          subscriber.next(true);
          return;
        }
        let reachable = false;
        try {
          reachable = await probe(stop.signal);
        } catch {
          reachable = false;
        }
        if (stop.signal.aborted || mine !== generation) return;
        subscriber.next(reachable);
        if (reachable) return;
        try {
          await clock.sleep(interval, stop.signal);
        } catch {
          return;
        }
      }
    };
    const onOnline = () => void check();
    const onOffline = () => {
      generation++;
      subscriber.next(false);
    };
    events?.addEventListener("online", onOnline);
    events?.addEventListener("offline", onOffline);
    void check();
    return () => {
      stop.abort();
      events?.removeEventListener("online", onOnline);
      events?.removeEventListener("offline", onOffline);
    };
  }).pipe(distinctUntilChanged(), shareReplay({ bufferSize: 1, refCount: true }));
}

function defaultEvents(): Pick<EventTarget, "addEventListener" | "removeEventListener"> | null {
  const g = globalThis as { addEventListener?: unknown };
  return typeof g.addEventListener === "function" ? (globalThis as unknown as EventTarget) : null;
}

function defaultOnLine(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: unknown } }).navigator;
  return typeof nav?.onLine === "boolean" ? nav.onLine : true;
}
