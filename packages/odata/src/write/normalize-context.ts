import type { Metadata } from "@xrm-offline/metadata";
import type { CreateOperation } from "./write-operation.ts";

/** What every step of one normalizeWrite call shares: its settings and its running totals. */
export interface NormalizeContext {
  readonly metadata: Metadata;
  readonly mode: "offline" | "online";
  readonly newId: () => string;
  readonly maxUploadFileSize: number;
  /** Records read so far (the data object and every nested one). */
  records: number;
  /** Keys read so far, over all records. */
  keys: number;
  /** Normalizes a nested new record (deep insert) of `entity` at `depth`. */
  readonly normalizeNested: (entity: string, data: unknown, depth: number, where: string) => CreateOperation;
}
