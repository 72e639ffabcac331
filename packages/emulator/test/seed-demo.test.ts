import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, seedDemoData } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
});
afterAll(() => emu.close());

describe("seedDemoData", () => {
  it("adds a technician, accounts with contacts, open cases and tasks regarding the accounts", async () => {
    const demo = seedDemoData(emu);
    expect([
      emu.count("systemuser"),
      emu.count("account"),
      emu.count("contact"),
      emu.count("incident"),
      emu.count("task"),
    ]).toEqual([1, 4, 4, 4, 5]);
    expect(emu.row("systemuser", demo.technicianId)!.fullname).toBe("Jordan Lee");
    const open = await api.get("incidents?$select=title,_customerid_value&$filter=statecode eq 0", {
      Prefer: 'odata.include-annotations="*"',
    });
    expect(open.json.value!.length).toBe(4);
    expect(
      open.json.value!.every(
        (c) => c["_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] === "account",
      ),
    ).toBe(true);
    const tasks = await api.get(
      `tasks?$select=subject&$filter=_regardingobjectid_value eq ${demo.accountIds[0]}`,
    );
    expect(tasks.json.value!.map((t) => t.subject)).toEqual(
      expect.arrayContaining(["Replace thermostat on cold room 2", "Quarterly maintenance visit"]),
    );
    expect(emu.row("contact", demo.contactIds[1]!)!._parentcustomerid_value).toBe(demo.accountIds[1]);
  });
});
