// The FetchXML paging cookie carries the order values of the page's last row, as Dataverse's does,
// so the next page starts where that row stood even when it was deleted in between: no row is
// skipped (page and count alone would skip one) and none repeated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
const ids = new Map<string, string>();

const COOKIE = "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie";
const escapeAttr = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

async function page(order: string, cookie?: string): Promise<{ names: string[]; inner: string }> {
  const paging = cookie === undefined ? "page='1'" : `page='2' paging-cookie="${escapeAttr(cookie)}"`;
  const xml = `<fetch count='2' ${paging}><entity name='contact'><attribute name='lastname'/>${order}</entity></fetch>`;
  const res = await api.get(`contacts?fetchXml=${encodeURIComponent(xml)}`, {
    Prefer: 'odata.include-annotations="*"',
  });
  expect(res.status).toBe(200);
  const outer = String(res.json[COOKIE]);
  const inner = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]+)"/.exec(outer)?.[1] ?? ""));
  return { names: (res.json.value ?? []).map((r) => String(r.lastname)), inner };
}

beforeAll(async () => {
  ({ emu, api } = await withEmulator());
});
afterAll(() => emu.close());

async function seed(): Promise<void> {
  for (const row of emu.rows("contact"))
    expect((await api.delete(`contacts(${row.contactid})`)).status).toBe(204);
  for (const lastname of ["a & b", "b", "c", "d", "e", "f"]) {
    const res = await api.post("contacts", { lastname });
    expect(res.status).toBe(204);
    ids.set(lastname, /\(([0-9a-f-]{36})\)$/.exec(res.headers.get("OData-EntityId") ?? "")![1]!);
  }
}

describe("paging cookie", () => {
  it("names the order values of the page's last and first rows, then the primary key", async () => {
    await seed();
    const p1 = await page("<order attribute='lastname'/>");
    expect(p1.names).toEqual(["a & b", "b"]);
    expect(p1.inner).toBe(
      `<cookie page="1"><lastname last="b" first="a &amp; b" /><contactid last="{${ids.get("b")!.toUpperCase()}}" first="{${ids.get("a & b")!.toUpperCase()}}" /></cookie>`,
    );
  });

  it("continues where a deleted last row stood, ascending and descending", async () => {
    await seed();
    const asc = await page("<order attribute='lastname'/>");
    expect((await api.delete(`contacts(${ids.get("b")})`)).status).toBe(204);
    expect((await page("<order attribute='lastname'/>", asc.inner)).names).toEqual(["c", "d"]);

    await seed();
    const desc = await page("<order attribute='lastname' descending='true'/>");
    expect(desc.names).toEqual(["f", "e"]);
    expect((await api.delete(`contacts(${ids.get("e")})`)).status).toBe(204);
    expect((await page("<order attribute='lastname' descending='true'/>", desc.inner)).names).toEqual([
      "d",
      "c",
    ]);
  });

  it("a row added before the cookie's row doesn't repeat one", async () => {
    await seed();
    const p1 = await page("<order attribute='lastname'/>");
    expect((await api.post("contacts", { lastname: "a" })).status).toBe(204);
    expect((await page("<order attribute='lastname'/>", p1.inner)).names).toEqual(["c", "d"]);
  });
});
