import type { OfflineHarness } from "../harness-types.ts";

/** What a scenario uses of a harness (everything but the scenarios themselves). */
export type ScenarioHost = Omit<OfflineHarness, "scenarios">;
