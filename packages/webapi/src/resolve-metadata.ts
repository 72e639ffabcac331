import { bundledMetadata, Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { XrmError, xrmError } from "@xrm-offline/odata";

/** The `metadata` option: a Metadata object, CSDL `$metadata` XML, or (absent) the bundled set. */
export function resolveMetadata(option: Metadata | string | undefined): Metadata {
  if (option === undefined) return bundledMetadata();
  if (option instanceof Metadata) return option;
  if (typeof option === "string") {
    try {
      return metadataFromCsdl(option);
    } catch (e) {
      throw e instanceof XrmError
        ? e
        : xrmError(
            "InvalidArgument",
            `The metadata XML could not be read: ${String((e as Error)?.message ?? e)}`,
          );
    }
  }
  throw xrmError("InvalidArgument", "metadata must be a Metadata object or CSDL $metadata XML.");
}
