import type { EntityMetadata } from "@xrm-offline/metadata";
import { maxLengthOf } from "../format/column-facts.ts";
import { codeError } from "../http/wire.ts";

/**
 * A string longer than its column's MaxLength is refused as Dataverse refuses it (0x80044331,
 * StringLengthTooLong). MaxLength is not in CSDL: it comes from the curated column facts.
 */
export function checkMaxLength(entity: EntityMetadata, column: string, value: unknown): void {
  if (typeof value !== "string") return;
  const max = maxLengthOf(entity.logicalName, column);
  if (max !== undefined && value.length > max) {
    throw codeError(
      "0x80044331",
      400,
      `A validation error occurred. The length of the '${column}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${max}'.`,
    );
  }
}
