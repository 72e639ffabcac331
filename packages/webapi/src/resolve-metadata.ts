import { Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { XrmError, xrmError } from "@xrm-offline/odata";

/**
 * The `metadata` option: a Metadata object or CSDL `$metadata` XML. It is required: the bundled set
 * (`bundledMetadata()` from `@xrm-offline/metadata/bundled`, ~90 kB minified) is an entry point of
 * its own so that apps that bring their own metadata don't download it.
 */
export function resolveMetadata(option: Metadata | string | undefined): Metadata {
  if (option === undefined)
    throw xrmError(
      "InvalidArgument",
      'metadata is required: a Metadata object (e.g. bundledMetadata() from "@xrm-offline/metadata/bundled") or CSDL $metadata XML.',
    );
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
