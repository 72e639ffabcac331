import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator());
});
afterAll(() => emu.close());
beforeEach(() => emu.clear());

interface Op {
  method: string;
  url: string;
  body?: unknown;
  contentId?: string;
  headers?: Record<string, string>;
}

function part(op: Op, eol: string): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (op.contentId) lines.push(`Content-ID: ${op.contentId}`);
  lines.push("", `${op.method} ${op.url} HTTP/1.1`);
  if (op.body !== undefined) lines.push("Content-Type: application/json; type=entry");
  for (const [k, v] of Object.entries(op.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push("", op.body === undefined ? "" : JSON.stringify(op.body));
  return lines.join(eol);
}

/** A batch body; an array item is a change set. */
function batchBody(items: (Op | Op[])[], eol = "\r\n", boundary = "batch_AAA123"): string {
  const out: string[] = [];
  items.forEach((item, i) => {
    out.push(`--${boundary}`);
    if (!Array.isArray(item)) {
      out.push(part(item, eol));
      return;
    }
    const cs = `changeset_${i}`;
    out.push(`Content-Type: multipart/mixed; boundary="${cs}"`, "");
    for (const op of item) out.push(`--${cs}`, part(op, eol));
    out.push(`--${cs}--`);
  });
  out.push(`--${boundary}--`, "");
  return out.join(eol);
}

async function sendBatch(items: (Op | Op[])[], opts: { eol?: string; prefer?: string } = {}) {
  const res = await fetch(`${emu.url}/$batch`, {
    method: "POST",
    headers: {
      "Content-Type": 'multipart/mixed; boundary="batch_AAA123"',
      Accept: "application/json",
      "OData-Version": "4.0",
      ...(opts.prefer ? { Prefer: opts.prefer } : {}),
    },
    body: batchBody(items, opts.eol),
  });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** Inner statuses in order, e.g. [204, 204, 200]. */
function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

describe("$batch", () => {
  for (const [label, eol] of [
    ["CRLF", "\r\n"],
    ["LF", "\n"],
  ] as const) {
    it(`runs a change set with Content-ID references in bodies and URLs (${label})`, async () => {
      const res = await sendBatch(
        [
          [
            {
              method: "POST",
              url: "/api/data/v9.2/leads",
              contentId: "1",
              body: { firstname: "first name", lastname: "last name" },
            },
            { method: "POST", url: `${emu.url}/contacts`, contentId: "2", body: { firstname: "first name" } },
            {
              method: "POST",
              url: "accounts",
              contentId: "3",
              body: {
                name: "IcM Account",
                "originatingleadid@odata.bind": "$1",
                "primarycontactid@odata.bind": "$2",
              },
            },
            { method: "PATCH", url: "$2", contentId: "4", body: { lastname: "patched" } },
            { method: "PUT", url: "$3/description", contentId: "5", body: { value: "via $3" } },
          ],
          {
            method: "GET",
            url: `${emu.url}/accounts?$select=name,description`,
            headers: { Accept: "application/json" },
          },
        ],
        { eol },
      );
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
      const boundary = res.contentType.split("boundary=")[1]!;
      expect(res.text.startsWith(`--${boundary}\r\n`)).toBe(true);
      expect(res.text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
      expect(res.text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_[0-9a-f-]{36}/);
      expect(statuses(res.text)).toEqual([204, 204, 204, 204, 204, 200]);
      expect([...res.text.matchAll(/^Content-ID: (\d+)/gm)].map((m) => m[1])).toEqual([
        "1",
        "2",
        "3",
        "4",
        "5",
      ]);
      const [account] = emu.rows("account");
      const [lead] = emu.rows("lead");
      const [contact] = emu.rows("contact");
      expect(account).toMatchObject({
        name: "IcM Account",
        description: "via $3",
        _originatingleadid_value: lead!.leadid,
        _primarycontactid_value: contact!.contactid,
      });
      expect(contact).toMatchObject({ firstname: "first name", lastname: "patched" });
      expect(res.text).toContain(`Location: ${emu.url}/leads(${lead!.leadid})`);
      expect(res.text).toContain(`OData-EntityId: ${emu.url}/leads(${lead!.leadid})`);
      expect(res.text).toMatch(
        /Content-Type: application\/json; odata\.metadata=minimal; odata\.streaming=true/,
      );
      expect(res.text).toContain('"name":"IcM Account"');
    });
  }

  it("rolls back a whole change set when one operation fails and reports only that part", async () => {
    const res = await sendBatch([
      [
        { method: "POST", url: "tasks", contentId: "1", body: { subject: "Task 1 in batch" } },
        { method: "POST", url: "tasks", contentId: "2", body: { subject: "Task 2 in batch" } },
        { method: "POST", url: "tasks", contentId: "3", body: { subject: 3 } },
      ],
    ]);
    expect(res.status).toBe(400);
    expect(statuses(res.text)).toEqual([400]);
    expect(res.text).toContain("Content-ID: 3");
    expect(res.text).toMatch(/"code":"0x0"/);
    expect(emu.count("task")).toBe(0);
  });

  it("stops at the first failure without continue-on-error, goes on with it", async () => {
    const items: (Op | Op[])[] = [
      { method: "POST", url: "tasks", body: { subject: "one" } },
      { method: "POST", url: "tasks", body: { subject: "two", bad: 1 } },
      { method: "POST", url: "tasks", body: { subject: "three" } },
      [{ method: "POST", url: "tasks", contentId: "1", body: { subject: "four" } }],
    ];
    const stop = await sendBatch(items);
    expect(stop.status).toBe(400);
    expect(statuses(stop.text)).toEqual([204, 400]);
    expect(emu.rows("task").map((t) => t.subject)).toEqual(["one"]);
    emu.clear();
    const go = await sendBatch(items, { prefer: "odata.continue-on-error" });
    expect(go.status).toBe(200);
    expect(statuses(go.text)).toEqual([204, 400, 204, 204]);
    expect(
      emu
        .rows("task")
        .map((t) => t.subject)
        .sort(),
    ).toEqual(["four", "one", "three"]);
  });

  it("refuses GET inside a change set, unknown $n, and $n outside a change set", async () => {
    const get = await sendBatch([[{ method: "GET", url: "accounts", contentId: "1" }]]);
    expect(statuses(get.text)).toEqual([400]);
    const unknownRef = await sendBatch([
      [
        {
          method: "POST",
          url: "accounts",
          contentId: "1",
          body: { name: "x", "primarycontactid@odata.bind": "$9" },
        },
      ],
    ]);
    expect(unknownRef.text).toContain("Content-ID Reference: '$9' does not exist in the batch context.");
    const outside = await sendBatch(
      [
        { method: "POST", url: "contacts", contentId: "1", body: { firstname: "x" } },
        { method: "PATCH", url: "$1", body: { firstname: "y" } },
      ],
      { prefer: "odata.continue-on-error" },
    );
    expect(statuses(outside.text)).toEqual([204, 400]);
    expect(emu.count("account")).toBe(0);
  });

  it("takes at most 1000 operations and rejects malformed batches with a JSON 400", async () => {
    const ops: Op[] = Array.from({ length: 1001 }, (_, i) => ({
      method: "POST",
      url: "tasks",
      contentId: String(i + 1),
      body: { subject: `t${i}` },
    }));
    const tooMany = await sendBatch([ops]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.contentType).toContain("application/json");
    expect(JSON.parse(tooMany.text).error.message).toContain("A maximum number of '1000' operations");
    expect(emu.count("task")).toBe(0);
    const ok = await sendBatch([ops.slice(0, 1000)]);
    expect(ok.status).toBe(200);
    expect(emu.count("task")).toBe(1000);

    const json = await api.post("$batch", { requests: [] });
    expect(json.status).toBe(400);
    expect(json.json.error!.code).toBe("0x0");
    const noClose = await fetch(`${emu.url}/$batch`, {
      method: "POST",
      headers: { "Content-Type": "multipart/mixed; boundary=b" },
      body: "--b\r\nContent-Type: application/http\r\n\r\nGET accounts HTTP/1.1\r\n\r\n",
    });
    expect(noClose.status).toBe(400);
    const badLine = await fetch(`${emu.url}/$batch`, {
      method: "POST",
      headers: { "Content-Type": "multipart/mixed; boundary=b" },
      body: "--b\r\nContent-Type: application/http\r\n\r\nthis is not http\r\n--b--\r\n",
    });
    expect(badLine.status).toBe(400);
    expect(JSON.parse(await badLine.text()).error.message).toContain("this is not http");
  });
});
