/**
 * Writes src/schema/bundled-partners.generated.json: the `Partner` of every collection-valued
 * navigation property of the bundled tables, read from the real CSDL fixture. The bundled metadata
 * (packages/metadata) does not carry partners; the emulator needs them for deep insert and
 * associate through 1:N collections. Run: `pnpm exec tsx packages/emulator/scripts/generate-bundled-partners.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { partnersFromCsdl } from "../src/schema/partner-map.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = resolve(here, "../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml");
const partners = partnersFromCsdl(readFileSync(fixture, "utf8"));
const metadata = bundledMetadata();
const out: Record<string, Record<string, string>> = {};
for (const entity of [...metadata.entities()].sort((a, b) => a.logicalName.localeCompare(b.logicalName))) {
  const navs: Record<string, string> = {};
  for (const nav of [...entity.collectionNavigations()].sort((a, b) => a.name.localeCompare(b.name))) {
    const partner = partners.get(entity.logicalName)?.get(nav.name);
    if (!partner) continue;
    const target = metadata.entity(nav.targetEntity);
    // Keep it only when the other side exists in the bundled set (or it is N:N).
    if (partner === nav.name || target?.singleValuedNavigation(partner)) navs[nav.name] = partner;
  }
  out[entity.logicalName] = navs;
}
writeFileSync(
  resolve(here, "../src/schema/bundled-partners.generated.json"),
  `${JSON.stringify(out, null, 2)}\n`,
);
console.log(`wrote partners for ${Object.keys(out).length} tables`);
