import type { SyncStatus } from "@xrm-offline/odata";
import { BehaviorSubject } from "rxjs";
import type { SyncEngineOptions } from "../sync-engine.ts";
import { createSyncEngine, type SyncEngine } from "../sync-engine.ts";
import { FakeClock } from "./fake-clock.ts";
import { FakeServer } from "./fake-server.ts";
import { MemoryOutbox } from "./memory-outbox.ts";

export interface EngineFixture {
  readonly clock: FakeClock;
  readonly outbox: MemoryOutbox;
  readonly server: FakeServer;
  readonly online: BehaviorSubject<boolean>;
  readonly statuses: SyncStatus[];
  engine: SyncEngine;
  /**
   * Closes the engine and makes a new one over the same outbox and server (a page reload),
   * optionally with other options (a new version of the app).
   */
  restart(
    changes?: Partial<Omit<SyncEngineOptions, "outbox" | "remote" | "connectivity" | "clock">>,
  ): Promise<SyncEngine>;
}

/** An engine over in-memory fakes with deterministic time and jitter. */
export function engineFixture(
  overrides: Partial<Omit<SyncEngineOptions, "outbox" | "remote" | "connectivity" | "clock">> = {},
  shared?: {
    outbox?: MemoryOutbox;
    server?: FakeServer;
    clock?: FakeClock;
    online?: BehaviorSubject<boolean>;
  },
): EngineFixture {
  const clock = shared?.clock ?? new FakeClock();
  const outbox = shared?.outbox ?? new MemoryOutbox();
  const server = shared?.server ?? new FakeServer();
  const online = shared?.online ?? new BehaviorSubject(true);
  const statuses: SyncStatus[] = [];
  let current = overrides;
  const make = () => {
    const engine = createSyncEngine({
      outbox,
      remote: server,
      connectivity: online,
      clock,
      debounceMs: 100,
      retry: { baseMs: 1000, capMs: 60_000, random: () => 0.5 },
      ...current,
    });
    engine.status$.subscribe((s) => statuses.push(s));
    return engine;
  };
  const fixture: EngineFixture = {
    clock,
    outbox,
    server,
    online,
    statuses,
    engine: make(),
    async restart(changes) {
      current = { ...current, ...changes };
      await fixture.engine.close();
      fixture.engine = make();
      return fixture.engine;
    },
  };
  return fixture;
}
