// Client mistakes that used to reach SQLite, the JSON validators or a nested $batch get a 400 (or
// 414) with code 0x0 and a plain message, change nothing, and the server answers the next request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_LIMITS } from "../src/http/limits.ts";
import type { Emulator } from "../src/index.ts";
import { type ApiResponse, type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
  emu.seed("account", [{ name: "Existing" }]);
});
afterAll(() => emu.close());

function expectRefused(res: ApiResponse, status = 400): void {
  expect(res.status).toBe(status);
  expect(res.json.error?.code).toBe("0x0");
  expect(res.json.error?.message).not.toMatch(/SQLITE|sqlite|call stack|SQL variables|Expression tree/);
}

/** The server is still up and answers a plain read. */
async function expectUp(): Promise<void> {
  const res = await api.get("accounts?$select=name");
  expect(res.status).toBe(200);
  expect(res.json.value?.map((r) => r.name)).toEqual(["Existing"]);
}

const terms = (n: number, term: (i: number) => string, op: string) =>
  Array.from({ length: n }, (_, i) => term(i)).join(` ${op} `);

function batchOf(parts: readonly string[]): string {
  return `${parts.map((p) => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${p}`).join("\r\n")}\r\n--b--\r\n`;
}
const getPart = (url: string) => `\r\nGET ${url} HTTP/1.1\r\nAccept: application/json\r\n\r\n`;
const postBatch = (body: string, headers: Record<string, string> = {}) =>
  api.call("POST", "$batch", body, { "Content-Type": "multipart/mixed; boundary=b", ...headers });

const TOO_MANY_CONDITIONS = "0x8004430c";

/** A single GET inside a `$batch` (URLs up to 64 KB), answered part. */
async function batchGet(url: string): Promise<{ status: number; code: string | undefined; names: string[] }> {
  const res = await postBatch(batchOf([getPart(`${emu.url}/${url}`)]));
  const status = Number(/HTTP\/1\.1 (\d{3})/.exec(res.text)?.[1]);
  const json = JSON.parse(res.text.slice(res.text.indexOf("{"), res.text.lastIndexOf("}") + 1)) as {
    error?: { code?: string };
    value?: { name: string }[];
  };
  return { status, code: json.error?.code, names: (json.value ?? []).map((r) => r.name) };
}

const fetchXml = (conditions: number) =>
  `<fetch><entity name="account"><attribute name="name"/><filter type="or">${Array.from(
    { length: conditions },
    (_, i) => `<condition attribute="name" operator="eq" value="a${i}"/>`,
  ).join("")}</filter></entity></fetch>`;

describe("conditions in one query (Dataverse: at most 500)", () => {
  it("a 1,000-term 'or' (13 KB URL) is TooManyConditionsInQuery, not an SQLite error", async () => {
    const filter = terms(1000, (i) => `name eq 'a${i}'`, "or");
    const res = await api.get(`accounts?$select=name&$filter=${filter}`);
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe(TOO_MANY_CONDITIONS);
    await expectUp();
  });

  it("500 conditions are answered with exactly the records they name; 501 are refused", async () => {
    emu.seed("account", [{ name: "a0" }, { name: "a250" }, { name: "a499" }, { name: "a500" }]);
    try {
      const ok = await api.get(
        `accounts?$select=name&$orderby=name&$filter=${terms(REQUEST_LIMITS.conditions, (i) => `name eq 'a${i}'`, "or")}`,
      );
      expect(ok.status).toBe(200);
      expect(ok.json.value?.map((r) => r.name)).toEqual(["a0", "a250", "a499"]);
      // A chain of 'and' the same length: every term must hold.
      const all = await api.get(
        `accounts?$select=name&$filter=${terms(REQUEST_LIMITS.conditions - 1, (i) => `name ne 'b${i}'`, "and")} and name eq 'a250'`,
      );
      expect(all.json.value?.map((r) => r.name)).toEqual(["a250"]);
      const over = await api.get(
        `accounts?$select=name&$filter=${terms(REQUEST_LIMITS.conditions + 1, (i) => `name eq 'a${i}'`, "or")}`,
      );
      expect(over.status).toBe(400);
      expect(over.json.error?.code).toBe(TOO_MANY_CONDITIONS);
      // An 'in' list is one condition, whatever its length: the documented way round the limit.
      const list = Array.from({ length: 3000 }, (_, i) => `'a${i}'`).join(",");
      const inList = await batchGet(
        `accounts?$select=name&$orderby=name&$filter=${encodeURIComponent(`name in (${list})`)}`,
      );
      expect(inList).toEqual({ status: 200, code: undefined, names: ["a0", "a250", "a499", "a500"] });
    } finally {
      for (const row of emu.rows("account").filter((r) => r.name !== "Existing")) {
        expect((await api.delete(`accounts(${row.accountid})`)).status).toBe(204);
      }
    }
  });

  it("FetchXML counts condition and link-entity elements: 500 answered, 501 refused", async () => {
    const ok = await batchGet(`accounts?fetchXml=${encodeURIComponent(fetchXml(REQUEST_LIMITS.conditions))}`);
    expect(ok.status).toBe(200);
    const over = await batchGet(
      `accounts?fetchXml=${encodeURIComponent(fetchXml(REQUEST_LIMITS.conditions + 1))}`,
    );
    expect(over).toMatchObject({ status: 400, code: TOO_MANY_CONDITIONS });
    // 499 conditions and 2 link-entity elements: 501 in all.
    const linked = fetchXml(REQUEST_LIMITS.conditions - 1).replace(
      "</entity>",
      '<link-entity name="contact" from="contactid" to="primarycontactid"/><link-entity name="contact" from="contactid" to="primarycontactid" link-type="outer"/></entity>',
    );
    expect(await batchGet(`accounts?fetchXml=${encodeURIComponent(linked)}`)).toMatchObject({
      status: 400,
      code: TOO_MANY_CONDITIONS,
    });
    await expectUp();
  });
});

describe("$filter and $orderby sizes", () => {
  it("an 'in' list over the value limit, and too many $orderby keys, are 400", async () => {
    const values = Array.from({ length: REQUEST_LIMITS.filterValues + 1 }, (_, i) => String(i % 10)).join(
      ",",
    );
    expect(
      await batchGet(`accounts?$filter=${encodeURIComponent(`numberofemployees in (${values})`)}`),
    ).toMatchObject({
      status: 400,
      code: "0x0",
    });
    const orderBy = Array.from({ length: REQUEST_LIMITS.orderByKeys }, () => "name").join(",");
    expect((await api.get(`accounts?$select=name&$orderby=${orderBy}`)).status).toBe(200);
    expectRefused(await api.get(`accounts?$orderby=${orderBy},name`));
    await expectUp();
  });

  it("words inside string literals are not counted", async () => {
    const filter = `name eq '${"and or not, ".repeat(900)}'`;
    expect((await api.get(`accounts?$select=name&$filter=${encodeURIComponent(filter)}`)).status).toBe(200);
  });

  it("inside $batch: a 20k-term 'or', a 100k-term 'and', a 40k-value 'in' and a 20k-key $orderby are 400", async () => {
    const urls = [
      `accounts?$filter=${encodeURIComponent(terms(20_000, (i) => `name eq 'a${i}'`, "or"))}`,
      `accounts?$filter=${encodeURIComponent(terms(100_000, (i) => `revenue ne ${i}`, "and"))}`,
      `accounts?$filter=${encodeURIComponent(`numberofemployees in (${Array.from({ length: 40_000 }, (_, i) => i).join(",")})`)}`,
      `accounts?$orderby=${Array.from({ length: 20_000 }, () => "name").join(",")}`,
    ];
    for (const url of urls) {
      expectRefused(await postBatch(batchOf([getPart(`${emu.url}/${url}`)])));
      await expectUp();
    }
  });

  it("inside $batch, within the 64 KB URL limit, the part answers 400 with its code", async () => {
    const filter = terms(600, (i) => `name eq 'a${i}'`, "or");
    const res = await postBatch(
      batchOf([getPart(`${emu.url}/accounts?$filter=${encodeURIComponent(filter)}`)]),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/HTTP\/1\.1 400 Bad Request/);
    expect(res.text).toContain(`"code":"${TOO_MANY_CONDITIONS}"`);
    await expectUp();
  });
});

describe("URL length", () => {
  it("a 20 KB URL reaches the service (no bare 431); one over 32 KB is 414 with code 0x0", async () => {
    const ok = await api.get(`accounts?$select=name&$filter=name ne '${"x".repeat(20_000)}'`);
    expect(ok.status).toBe(200);
    const res = await api.get(`accounts?$filter=name ne '${"x".repeat(REQUEST_LIMITS.urlChars)}'`);
    expectRefused(res, 414);
    await expectUp();
  });
});

describe("JSON nesting", () => {
  it("a body nested 100k arrays deep is 400 and writes nothing", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expectRefused(await api.post("accounts", deep));
    expectRefused(await api.post("accounts", `{"name":"x","description":${deep}}`));
    expectRefused(await api.patch(`accounts(${emu.rows("account")[0]!.accountid})`, `{"a":${deep}}`));
    expect(emu.count("account")).toBe(1);
    await expectUp();
  });

  it("brackets inside strings don't count; 100 levels are accepted", async () => {
    // Within the columns' MaxLength (name 160, description 2000), far above the 100-level limit.
    const res = await api.post("accounts", { name: "[".repeat(160), description: "{".repeat(2000) });
    expect(res.status).toBe(204);
    for (const row of emu.rows("account").filter((r) => r.name !== "Existing")) {
      expect((await api.delete(`accounts(${row.accountid})`)).status).toBe(204);
    }
    // 100 levels pass the depth check and reach the payload validator (which refuses the array).
    const levels = REQUEST_LIMITS.jsonDepth - 1;
    const nested = await api.post("accounts", `{"name":${"[".repeat(levels)}${"]".repeat(levels)}}`);
    expect(nested.status).toBe(400);
    expect(nested.json.error?.message).not.toMatch(/nested more than/);
    expect(emu.count("account")).toBe(1);
  });
});

describe("$batch inside $batch", () => {
  it("is refused before anything runs, so it can't get round the 1,000-operation limit", async () => {
    const create = `\r\nPOST ${emu.url}/accounts HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"name":"before"}`;
    const inner = batchOf(Array.from({ length: 1000 }, () => create)).replace(/--b/g, "--inner");
    const nested = `\r\nPOST ${emu.url}/$batch HTTP/1.1\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n${inner}`;
    const res = await postBatch(batchOf([create, nested, nested]));
    expectRefused(res);
    expect(emu.count("account")).toBe(1);
    // A relative URL is refused the same way.
    expectRefused(await postBatch(batchOf([`\r\nPOST $batch HTTP/1.1\r\n\r\n`])));
    await expectUp();
  });
});

describe("control characters in batch part headers", () => {
  it("a bare CR in Prefer or Content-ID is 400 and never echoed into the answer", async () => {
    const create = (headers: string) =>
      `${headers}\r\nPOST ${emu.url}/accounts HTTP/1.1\r\nContent-Type: application/json\r\n`;
    const withPrefer = batchOf([
      `\r\nPOST ${emu.url}/accounts HTTP/1.1\r\nContent-Type: application/json\r\nPrefer: return=representation\rX-Injected: 1\r\n\r\n{"name":"cr"}`,
    ]);
    const preferRes = await postBatch(withPrefer);
    expectRefused(preferRes);
    expect(preferRes.text).not.toMatch(/X-Injected/);
    const withContentId = `--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\rX-Injected: 1\r\n${create("")}\r\n{"name":"cr"}\r\n--cs--\r\n--b--\r\n`;
    const idRes = await postBatch(withContentId);
    expectRefused(idRes);
    expect(idRes.text).not.toMatch(/X-Injected/);
    expect(emu.count("account")).toBe(1);
    await expectUp();
  });
});

describe("request log", () => {
  it("keeps no body of an unauthenticated request, and at most 64 KiB of any body", async () => {
    const { emu: locked } = await withEmulator({ accessToken: "s3cret" });
    try {
      // 2 MiB of JSON whitespace: a big body whose values fit the columns' MaxLength.
      const big = `{"name":"x",${" ".repeat(2 * 1024 * 1024)}"description":"y"}`;
      const anonymous = await fetch(`${locked.url}/accounts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: big,
      });
      expect(anonymous.status).toBe(401);
      expect(locked.requestLog.last()).toMatchObject({ status: 401, body: "" });
      const signedIn = await fetch(`${locked.url}/accounts`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer s3cret" },
        body: big,
      });
      expect(signedIn.status).toBe(204);
      expect(locked.requestLog.last()?.body).toBe(big.slice(0, 64 * 1024));
      expect(locked.count("account")).toBe(1);
    } finally {
      await locked.close();
    }
  });
});
