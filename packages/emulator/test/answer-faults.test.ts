import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { withEmulator } from "./helpers.ts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";

/** Three top-level creates, each with its Content-ID, continue-on-error. */
async function batchOfCreates(emu: Emulator, ids: readonly string[]) {
  const body = ids
    .map(
      (id, i) =>
        `--batch_X\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${i + 1}\r\n\r\nPOST ${emu.url}/accounts HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ accountid: id, name: `n${i}` })}\r\n`,
    )
    .join("");
  const res = await fetch(`${emu.url}/$batch`, {
    method: "POST",
    headers: {
      "Content-Type": "multipart/mixed; boundary=batch_X",
      Prefer: "odata.continue-on-error",
      "OData-Version": "4.0",
    },
    body: `${body}--batch_X--\r\n`,
  });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** A POST whose answer is read as text only (the answers here are not meant to parse). */
async function post(emu: Emulator, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "OData-Version": "4.0", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** `[contentId, status line]` of each top-level part, in answer order. */
function parts(text: string): [string, string][] {
  return text
    .split(/--batchresponse_[0-9a-f-]{36}\r\n/)
    .slice(1)
    .map((p) => [/Content-ID: (\S+)/.exec(p)?.[1] ?? "", /^HTTP\/1\.1 .*$/m.exec(p)?.[0] ?? ""]);
}

describe("answer faults (applied after the server did the work)", () => {
  let emu: Emulator;
  beforeAll(async () => {
    ({ emu } = await withEmulator());
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.faults.clear();
    emu.clear();
  });

  it("commits a single create, then answers with a truncated, empty, HTML or foreign JSON body", async () => {
    const cases = [
      ["truncate", 200, "application/json; odata.metadata=minimal", '{"@odata.context":"'],
      ["empty", 200, null, ""],
      ["html", 200, "text/html; charset=utf-8", "<!DOCTYPE html>"],
      ["json", 200, "application/json", '{"status":"ok","portal":true}'],
      ["garble-status", 200, "application/http", "HTTP/1.1 2O4 No Content\r\n\r\n"],
    ] as const;
    for (const [n, [fault, status, type, start]] of cases.entries()) {
      emu.faults.enqueue(fault);
      const id = `00000000-0000-4000-8000-0000000001${String(n).padStart(2, "0")}`;
      const res = await post(emu, "accounts", { accountid: id, name: fault });
      expect([fault, res.status, res.headers.get("content-type"), res.text.slice(0, start.length)]).toEqual([
        fault,
        status,
        type,
        start,
      ]);
      expect(res.headers.get("odata-entityid")).toBe(null);
      expect(emu.row("account", id)?.name).toBe(fault);
    }
    expect(emu.faults.injected.get("answer:html")).toBe(1);
    expect(emu.requestLog.entries().map((e) => e.fault)).toEqual([
      "answer:truncate",
      "answer:empty",
      "answer:html",
      "answer:json",
      "answer:garble-status",
    ]);
  });

  it("cuts a JSON answer in half (create with return=representation)", async () => {
    emu.faults.enqueue("truncate");
    const res = await post(
      emu,
      "accounts",
      { accountid: A, name: "half" },
      { Prefer: "return=representation" },
    );
    expect(res.status).toBe(201);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(emu.row("account", A)?.name).toBe("half");
  });

  it("drops, reorders and garbles $batch parts after running every part", async () => {
    emu.faults.enqueue("missing-parts");
    const missing = await batchOfCreates(emu, [A, B, C]);
    expect(missing.status).toBe(200);
    // The last part, and the middle one of those left.
    expect(parts(missing.text)).toEqual([["1", "HTTP/1.1 204 No Content"]]);
    expect([A, B, C].map((id) => emu.row("account", id)?.accountid)).toEqual([A, B, C]);

    emu.clear();
    emu.faults.enqueue("reorder-parts");
    const reordered = await batchOfCreates(emu, [A, B, C]);
    expect(parts(reordered.text).map(([id]) => id)).toEqual(["3", "2", "1"]);
    // Each part keeps its own answer: part 3's entity id is C's.
    const third = reordered.text.split(/--batchresponse_[0-9a-f-]{36}\r\n/)[1] ?? "";
    expect(third).toContain(`accounts(${C})`);

    emu.clear();
    emu.faults.enqueue("garble-status");
    const garbled = await batchOfCreates(emu, [A, B, C]);
    expect(parts(garbled.text)).toEqual([
      ["1", "HTTP/1.1 204 No Content"],
      ["2", "HTTP/1.1 2O4 No Content"],
      ["3", "HTTP/1.1 204 No Content"],
    ]);

    for (const [fault, type] of [
      ["json", "application/json; odata.metadata=minimal"],
      ["html", "text/html; charset=utf-8"],
    ] as const) {
      emu.clear();
      emu.faults.enqueue(fault);
      const res = await batchOfCreates(emu, [A]);
      expect([res.status, res.contentType]).toEqual([200, type]);
      expect(emu.row("account", A)?.accountid).toBe(A);
    }

    emu.clear();
    emu.faults.enqueue("truncate");
    const cut = await batchOfCreates(emu, [A, B]);
    expect(cut.text.includes("--batchresponse_")).toBe(true);
    expect(/--batchresponse_[0-9a-f-]{36}--/.test(cut.text)).toBe(false);
    expect(emu.count("account")).toBe(2);
  });
});
