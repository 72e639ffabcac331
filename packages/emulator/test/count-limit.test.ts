// `$count=true` counts at most 5,000 rows, as Dataverse does ("Count rows using OData"); the
// annotations asked for with Prefer say whether there are more; RetrieveTotalRecordCount counts all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  emu.seed(
    "task",
    Array.from({ length: 5001 }, (_, i) => ({ subject: `Task ${i}`, prioritycode: i === 0 ? 2 : 1 })),
  );
});
afterAll(() => emu.close());

const ANNOTATIONS =
  'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"';

describe("$count beyond 5,000 rows", () => {
  it("caps @odata.count at 5,000, and says so when the annotations are asked for", async () => {
    const plain = await api.get("tasks?$select=subject&$count=true", { Prefer: "odata.maxpagesize=1" });
    expect(plain.json["@odata.count"]).toBe(5000);
    expect(plain.json).not.toHaveProperty("@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded");

    const asked = await api.get("tasks?$select=subject&$count=true", {
      Prefer: `${ANNOTATIONS},odata.maxpagesize=1`,
    });
    expect(asked.json["@odata.count"]).toBe(5000);
    expect(asked.json["@Microsoft.Dynamics.CRM.totalrecordcount"]).toBe(5000);
    expect(asked.json["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"]).toBe(true);

    // Exactly 5,000 matching rows: not exceeded.
    const exact = await api.get("tasks?$select=subject&$count=true&$filter=prioritycode eq 1", {
      Prefer: `${ANNOTATIONS},odata.maxpagesize=1`,
    });
    expect(exact.json["@odata.count"]).toBe(5000);
    expect(exact.json["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"]).toBe(false);
  });

  it("RetrieveTotalRecordCount counts every row", async () => {
    const res = await api.get("RetrieveTotalRecordCount(EntityNames=@p1)?@p1=['task']");
    expect(res.json.EntityRecordCountCollection).toEqual({
      Count: 1,
      IsReadOnly: false,
      Keys: ["task"],
      Values: [5001],
    });
  });
});
