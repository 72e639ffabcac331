import { readEntries } from "../edm/plain-data.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import type { NormalizeContext } from "./normalize-context.ts";
import { WRITE_LIMITS } from "./write-limits.ts";

/**
 * The keys and values of one record of a write, counted against the write's limits (depth,
 * records, keys per record and in all) before any of them is looked at.
 */
export function recordEntries(
  ctx: NormalizeContext,
  data: unknown,
  depth: number,
  where: string,
): [string, unknown][] {
  if (depth > WRITE_LIMITS.maxDepth) {
    throw xrmError(
      "RequestTooLarge",
      `${where}: nested records go deeper than ${WRITE_LIMITS.maxDepth} levels.`,
    );
  }
  if (++ctx.records > WRITE_LIMITS.maxRecords) {
    throw xrmError("RequestTooLarge", `The write creates more than ${WRITE_LIMITS.maxRecords} records.`);
  }
  const entries = readEntries(data, where);
  ctx.keys += entries.length;
  if (entries.length > WRITE_LIMITS.maxKeys || ctx.keys > WRITE_LIMITS.maxTotalKeys) {
    throw xrmError(
      "RequestTooLarge",
      `${where} has ${entries.length} keys; at most ${WRITE_LIMITS.maxKeys} per record and ${WRITE_LIMITS.maxTotalKeys} per write are accepted.`,
    );
  }
  return entries;
}
