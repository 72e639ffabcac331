export { ANSWER_FAULT_KINDS, type AnswerFaultKind, spoilAnswer } from "./http/answer-faults.ts";
export type {
  FaultController,
  FaultDecision,
  FaultInput,
  FaultOptions,
  FaultRequestInfo,
  FaultSpec,
} from "./http/faults.ts";
export type { RequestLog, RequestLogEntry } from "./http/request-log.ts";
export { DEFAULT_SESSION_COOKIE, DEFAULT_SESSION_USER, type SessionOptions } from "./http/session.ts";
export type { WireResponse } from "./http/wire.ts";
export { generateCsdl } from "./schema/generate-csdl.ts";
export { type DemoData, seedDemoData } from "./seed-demo.ts";
export { type Emulator, type EmulatorOptions, startEmulator } from "./start-emulator.ts";
export type { RecordStore, StoredRecord } from "./storage/record-store.ts";
