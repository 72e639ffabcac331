import type { OfflineHarness } from "../create-offline-harness.ts";

/** What a scenario uses of a harness (everything but the scenarios themselves). */
export type ScenarioHost = Omit<OfflineHarness, "scenarios">;
