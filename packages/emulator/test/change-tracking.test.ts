import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
});
afterAll(() => emu.close());

const TRACK = { Prefer: "odata.track-changes" };

describe("change tracking", () => {
  it("returns a deltaLink, then new/changed rows and $deletedEntity entries since that token", async () => {
    const [a, b, c] = emu.seed("contact", [{ firstname: "A" }, { firstname: "B" }, { firstname: "C" }]);
    const initial = await api.get("contacts?$select=firstname", TRACK);
    expect(initial.status).toBe(200);
    expect(initial.headers.get("preference-applied")).toBe("odata.track-changes");
    expect(initial.json.value!.map((r) => r.firstname).sort()).toEqual(["A", "B", "C"]);
    const deltaLink = initial.json["@odata.deltaLink"] as string;
    expect(deltaLink).toMatch(
      new RegExp(`^${emu.url.replace(/\./g, "\\.")}/contacts\\?\\$select=firstname&\\$deltatoken=`),
    );

    expect((await api.patch(`contacts(${b})`, { firstname: "B2" })).status).toBe(204);
    expect((await api.delete(`contacts(${c})`)).status).toBe(204);
    const created = await api.post("contacts", { firstname: "D" });
    const d = /\(([^)]+)\)$/.exec(created.headers.get("odata-entityid")!)![1];

    const delta = await api.get(deltaLink, TRACK);
    expect(delta.status).toBe(200);
    expect(delta.json["@odata.context"]).toBe(`${emu.url}/$metadata#contacts(firstname)/$delta`);
    const value = delta.json.value!;
    expect(value.filter((r) => !r["@odata.context"]).map((r) => [r.contactid, r.firstname])).toEqual([
      [b, "B2"],
      [d, "D"],
    ]);
    expect(value.filter((r) => r["@odata.context"])).toEqual([
      { "@odata.context": `${emu.url}/$metadata#contacts/$deletedEntity`, id: c, reason: "deleted" },
    ]);
    expect(value.some((r) => r.contactid === a)).toBe(false);

    // The new delta link sees nothing until something changes.
    const next = await api.get(delta.json["@odata.deltaLink"] as string, TRACK);
    expect(next.json.value).toEqual([]);
  });

  it("pages a tracked query and gives the deltaLink on the last page", async () => {
    emu.clear();
    emu.seed(
      "task",
      Array.from({ length: 7 }, (_, i) => ({ subject: `t${i}` })),
    );
    const seen: string[] = [];
    let url: string | undefined = "tasks?$select=subject";
    let deltaLink: string | undefined;
    while (url) {
      const res = await api.get(url, { Prefer: "odata.track-changes,odata.maxpagesize=3" });
      seen.push(...res.json.value!.map((r) => r.subject as string));
      url = res.json["@odata.nextLink"] as string | undefined;
      deltaLink = res.json["@odata.deltaLink"] as string | undefined;
      if (url) expect(deltaLink).toBeUndefined();
      // A write between pages is not lost: it shows up in the delta.
      if (seen.length === 3) emu.seed("task", [{ subject: "during paging" }]);
    }
    expect(seen.sort()).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    const delta = await api.get(deltaLink!);
    expect(delta.json.value!.map((r) => r.subject)).toEqual(["during paging"]);
  });

  it("rejects $filter/$orderby/$expand/$top with track-changes", async () => {
    for (const q of [
      "$filter=firstname eq 'A'",
      "$orderby=firstname",
      "$top=1",
      "$expand=parentcustomerid_account",
    ]) {
      const res = await api.get(`contacts?${q}`, TRACK);
      expect(res.status, q).toBe(400);
    }
  });

  it("answers 0x80044352 for an expired, unknown or garbled token so the client resyncs", async () => {
    const initial = await api.get("contacts?$select=firstname", TRACK);
    const deltaLink = initial.json["@odata.deltaLink"] as string;
    expect((await api.get(deltaLink)).status).toBe(200);
    emu.expireDeltaTokens();
    const expired = await api.get(deltaLink);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toEqual({
      code: "0x80044352",
      message: "Version stamp associated with the client has expired. Please perform a full sync.",
    });
    for (const token of ["garbage", "999999999!2020-01-01", ""]) {
      const res = await api.get(`contacts?$select=firstname&$deltatoken=${encodeURIComponent(token)}`);
      expect(res.json.error?.code, token).toBe("0x80044352");
    }
    // A fresh full sync gives a working token again.
    const again = await api.get("contacts?$select=firstname", TRACK);
    expect((await api.get(again.json["@odata.deltaLink"] as string)).status).toBe(200);
  });
});
