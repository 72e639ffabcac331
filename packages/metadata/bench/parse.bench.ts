// Parse the real 3.8 MB Dataverse $metadata fixture: time and peak memory.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { parseCsdl } from "../src/parse-csdl.ts";

const xml = readFileSync(
  fileURLToPath(new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url)),
  "utf8",
);
parseCsdl(xml); // warm-up
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  parseCsdl(xml);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const { peakMB } = await peakMemoryMB(() => parseCsdl(xml));
const suite = "metadata";
report({
  suite,
  name: `parse ${(xml.length / 1e6).toFixed(1)} MB CSDL fixture (median of 5)`,
  value: times[2]!,
  unit: "ms",
});
report({ suite, name: "parse fixture, peak memory above baseline", value: peakMB, unit: "MB" });
