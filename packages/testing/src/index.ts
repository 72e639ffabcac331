export type { ClientContextOptions, ClientName, FormFactor, HarnessClientContext } from "./client-context.ts";
export { createOfflineHarness } from "./create-offline-harness.ts";
export type { HarnessServer } from "./harness-server.ts";
export type { HarnessXrm, OfflineHarness, OfflineHarnessOptions, SeedData } from "./harness-types.ts";
export * from "./scenarios/index.ts";
export type { TokenSwitch } from "./token-switch.ts";
