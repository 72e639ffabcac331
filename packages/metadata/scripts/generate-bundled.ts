// Regenerates src/bundled-metadata.generated.json from the real Dataverse $metadata fixture.
// Run: pnpm generate:metadata
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BUNDLED_TABLES } from "../src/bundled-tables.ts";
import { parseCsdl } from "../src/parse-csdl.ts";
import { selectTables } from "../src/select-tables.ts";

const fixture = fileURLToPath(
  new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url),
);
const out = fileURLToPath(new URL("../src/bundled-metadata.generated.json", import.meta.url));
const { document } = parseCsdl(readFileSync(fixture, "utf8"));
const bundled = selectTables(document, BUNDLED_TABLES);
writeFileSync(out, `${JSON.stringify(bundled)}\n`);
console.log(`wrote ${bundled.entities.length} tables to ${out}`);
