import { type AppKilledOutcome, type AppKilledScenario, appKilledScenario } from "./app-killed.ts";
import { type ConflictOutcome, type ConflictScenario, conflictScenario } from "./conflict.ts";
import {
  type LookupTargetDeletedOutcome,
  type LookupTargetDeletedScenario,
  lookupTargetDeletedScenario,
} from "./lookup-target-deleted.ts";
import type { ScenarioHost } from "./scenario-host.ts";
import {
  type TokenExpiredOutcome,
  type TokenExpiredScenario,
  tokenExpiredScenario,
} from "./token-expired.ts";

export type {
  AppKilledOutcome,
  AppKilledScenario,
  ConflictOutcome,
  ConflictScenario,
  LookupTargetDeletedOutcome,
  LookupTargetDeletedScenario,
  ScenarioHost,
  TokenExpiredOutcome,
  TokenExpiredScenario,
};
export { appKilledScenario, conflictScenario, lookupTargetDeletedScenario, tokenExpiredScenario };

/** The cases app developers get wrong, each run against this harness's device and server. */
export interface Scenarios {
  /** Created offline, then updated on the server before the device synced its own edit. */
  updatedOnServerBeforeSync(s: ConflictScenario): Promise<ConflictOutcome>;
  /** A lookup's target deleted on the server while the device was offline. */
  lookupTargetDeletedWhileOffline(s: LookupTargetDeletedScenario): Promise<LookupTargetDeletedOutcome>;
  /** The access token runs out during the sync (harness started with `auth`). */
  tokenExpiredDuringSync(s: TokenExpiredScenario): Promise<TokenExpiredOutcome>;
  /** The app is killed while a write is on the server, reopened, and syncs again. */
  appKilledMidSync(s: AppKilledScenario): Promise<AppKilledOutcome>;
}

export function bindScenarios(h: ScenarioHost): Scenarios {
  return {
    updatedOnServerBeforeSync: (s) => conflictScenario(h, s),
    lookupTargetDeletedWhileOffline: (s) => lookupTargetDeletedScenario(h, s),
    tokenExpiredDuringSync: (s) => tokenExpiredScenario(h, s),
    appKilledMidSync: (s) => appKilledScenario(h, s),
  };
}
