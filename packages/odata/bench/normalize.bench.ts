// normalizeWrite + renderRequest throughput for the createRecord seed's basic create (offline
// mode: validation against the bundled metadata, a new GUID, the POST body).
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { normalizeWrite } from "../src/write/normalize-write.ts";
import { renderRequest } from "../src/write/render-request.ts";

const metadata = bundledMetadata();
const basic = {
  name: "Sample Account",
  creditonhold: false,
  address1_latitude: 47.639583,
  description: "This is the description of the sample account",
  revenue: 5000000,
  accountcategorycode: 1,
};
const withLookup = {
  ...basic,
  "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)",
};

function run(data: object, n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const op = normalizeWrite(metadata, { entityLogicalName: "account", data, mode: "offline" });
    bytes += renderRequest(metadata, op).url.length; // keep the result alive
  }
  return bytes;
}

/** ops/s: the median of 5 timed rounds of `n` operations, after a warm-up round. */
function opsPerSecond(data: object, n: number): number {
  run(data, n);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    run(data, n);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[2]!;
}

const N = 50_000;
const suite = "odata";
report({
  suite,
  name: "normalizeWrite + renderRequest, seed basic create (6 columns)",
  value: Math.round(opsPerSecond(basic, N)),
  unit: "ops/s",
  note: "median of 5 × 50,000",
});
report({
  suite,
  name: "normalizeWrite + renderRequest, basic create + @odata.bind lookup",
  value: Math.round(opsPerSecond(withLookup, N)),
  unit: "ops/s",
  note: "median of 5 × 50,000",
});
const { peakMB } = await peakMemoryMB(() => run(basic, N));
report({
  suite,
  name: "50,000 basic creates, peak memory above baseline",
  value: Number(peakMB.toFixed(1)),
  unit: "MB",
});
