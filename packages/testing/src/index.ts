export type { ClientContextOptions, ClientName, FormFactor, HarnessClientContext } from "./client-context.ts";
export {
  createOfflineHarness,
  type HarnessXrm,
  type OfflineHarness,
  type OfflineHarnessOptions,
  type SeedData,
} from "./create-offline-harness.ts";
export type { HarnessServer } from "./harness-server.ts";
export * from "./scenarios/index.ts";
export type { TokenSwitch } from "./token-switch.ts";
