// (ii) The CommonJS entry of @xrm-offline/testing (the `require` condition: dist/index.cjs, typed by
// dist/index.d.cts), as a CommonJS TypeScript file sees it under the strict consumer options. A .cts
// file's imports compile to require(), so NodeNext resolves them through `require`.
import { createOfflineHarness, type OfflineHarness } from "@xrm-offline/testing";

export async function harnessFromRequire(): Promise<number> {
  const harness: OfflineHarness = await createOfflineHarness({ offlineTables: ["account"] });
  const { id } = await harness.Xrm.WebApi.createRecord("account", { name: "Contoso" });
  await harness.dispose();
  return id.length;
}
