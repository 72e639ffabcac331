// Test doubles and generators for the sync engine (import "@xrm-offline/sync/testing").
export { type EngineFixture, engineFixture } from "./engine-fixture.ts";
export { FakeClock, flush } from "./fake-clock.ts";
export { etagOf, FakeServer, type Fault, type RequestLog, type ServerRow } from "./fake-server.ts";
export { type LocalRecordState, MemoryOutbox } from "./memory-outbox.ts";
export {
  ANSWER_FAULTS,
  addRun,
  type CampaignTally,
  emptyTally,
  type FaultKind,
  generateSequence,
  lostRecords,
  MODEL_TABLES,
  Model,
  orderProblems,
  type SequenceOptions,
  STEP_COLUMN,
  type Step,
  tallyLine,
} from "./model-sequence.ts";
export { createOp, deleteOp, guid, lookup, updateOp } from "./operations.ts";
export { type Prng, prng } from "./prng.ts";
