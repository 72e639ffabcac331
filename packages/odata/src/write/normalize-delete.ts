import type { Metadata } from "@xrm-offline/metadata";
import { describeValue } from "../edm/edm-value.ts";
import { normalizeRecordId } from "../edm/guid.ts";
import { isPlainObject } from "../edm/plain-data.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { resolveEntity } from "./resolve-entity.ts";
import type { DeleteOperation } from "./write-operation.ts";

/** Validates a delete (`deleteRecord(entityLogicalName, id)`) into its canonical operation. */
export function normalizeDelete(
  metadata: Metadata,
  input: { readonly entityLogicalName: string; readonly id: string },
): DeleteOperation {
  try {
    if (!isPlainObject(input))
      throw xrmError(
        "InvalidArgument",
        `normalizeDelete needs an input object, got ${describeValue(input)}.`,
      );
    const entity = resolveEntity(metadata, input.entityLogicalName);
    const id = normalizeRecordId(input.id);
    if (!id)
      throw xrmError("InvalidArgument", `The id ${describeValue(input.id)} is not a valid record GUID.`);
    return { kind: "delete", entityLogicalName: entity.logicalName, entitySetName: entity.entitySetName, id };
  } catch (e) {
    if (e instanceof XrmError) throw e;
    throw xrmError("InvalidArgument", "The delete request could not be read.", { cause: e });
  }
}
