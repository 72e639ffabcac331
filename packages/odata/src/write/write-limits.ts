import { MAX_STRING_LENGTH } from "../edm/edm-value.ts";

/**
 * Size guards for one write. A Dataverse table has at most ~1,000 columns, so a data object with
 * more keys is a bug or an attack; deep insert rarely goes past three levels. The limits keep a
 * hostile payload from costing much CPU or outbox space before it is refused.
 */
export const WRITE_LIMITS = {
  /** Keys in one data object (the record or one nested record). */
  maxKeys: 1000,
  /** Nesting of deep-insert records: the record itself is level 1. */
  maxDepth: 10,
  /** Records in one write, nested ones included. */
  maxRecords: 1000,
  /** Keys across the whole write, nested records included. */
  maxTotalKeys: 10_000,
  /** Characters in one text value: the largest Dataverse text column. */
  maxStringLength: MAX_STRING_LENGTH as typeof MAX_STRING_LENGTH,
} as const;
