import bundled from "./bundled-metadata.generated.json" with { type: "json" };
import { Metadata } from "./metadata.ts";
import type { MetadataDocument } from "./types.ts";

export { BUNDLED_TABLES } from "./bundled-tables.ts";

let cached: Metadata | undefined;

/**
 * The default metadata: the most used tables of a real Dataverse org, generated from the fixture by
 * `pnpm generate:metadata`. Lets the engine work with no server and no CSDL at hand.
 */
export function bundledMetadata(): Metadata {
  cached ??= new Metadata(bundled as unknown as MetadataDocument);
  return cached;
}
