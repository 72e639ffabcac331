import { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";

/**
 * The `metadata` option: a Metadata object. It is required, and it is an object rather than CSDL
 * text so that a page pays only for what it uses: the bundled set (`bundledMetadata()` from
 * `@xrm-offline/metadata/bundled`, ~90 kB minified) and the CSDL reader (`metadataFromCsdl(xml)`
 * from `@xrm-offline/metadata`, which brings fast-xml-parser, ~20 kB gzip) are each downloaded
 * only by apps that call them.
 */
export function resolveMetadata(option: Metadata | undefined): Metadata {
  if (option === undefined)
    throw xrmError(
      "InvalidArgument",
      'metadata is required: a Metadata object (e.g. bundledMetadata() from "@xrm-offline/metadata/bundled").',
    );
  if (option instanceof Metadata) return option;
  if (typeof option === "string")
    throw xrmError(
      "InvalidArgument",
      'metadata must be a Metadata object: for CSDL $metadata XML pass metadataFromCsdl(xml) from "@xrm-offline/metadata".',
    );
  throw xrmError("InvalidArgument", "metadata must be a Metadata object.");
}
