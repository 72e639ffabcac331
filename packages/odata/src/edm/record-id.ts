import type { EntityMetadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import { describeValue } from "./edm-value.ts";
import { normalizeRecordId } from "./guid.ts";

/**
 * The id of the record: the primary key column in `data` (validated, lower-cased), which must
 * agree with the id argument when both are given; else the id argument; else, for a create, a
 * new GUID.
 */
export function recordIdOf(
  entity: EntityMetadata,
  entries: readonly [string, unknown][],
  isCreate: boolean,
  givenId: string | undefined,
  newId: () => string,
): string {
  const entry = entries.find(([k]) => k === entity.primaryIdAttribute);
  if (entry) {
    const primaryKey = normalizeRecordId(entry[1]);
    if (!primaryKey) {
      throw xrmError(
        "InvalidArgument",
        `The primary key '${entry[0]}' of ${entity.logicalName} must be a record GUID, got ${describeValue(entry[1])}.`,
      );
    }
    if (givenId !== undefined && givenId !== primaryKey) {
      throw xrmError(
        "InvalidArgument",
        `The primary key '${entry[0]}' in the data (${primaryKey}) differs from the record id (${givenId}); a record's id cannot change.`,
      );
    }
    return primaryKey;
  }
  if (givenId !== undefined) return givenId;
  if (!isCreate)
    throw xrmError("InvalidArgument", `An update of ${entity.logicalName} needs the id of the record.`);
  const id = normalizeRecordId(newId());
  if (!id) throw xrmError("InvalidArgument", "The id generator returned something that is not a GUID.");
  return id;
}
