/**
 * Issue 14, case 7: what the server would refuse for good is refused at the call, with a clear
 * `{ errorCode, message }` and nothing written — a lookup bound to a record this device deleted,
 * and a write whose request is larger than the server accepts.
 */
import { describe, expect, it } from "vitest";
import { testApi } from "./testing/test-api.ts";

const OBJECT_DOES_NOT_EXIST = 0x80040217;
const REQUEST_TOO_LARGE = 0x8004418a;
const INVALID_ARGUMENT = 0x80040203;

async function refusal(call: PromiseLike<unknown>): Promise<[number, boolean]> {
  try {
    await call;
  } catch (e) {
    const error = e as { errorCode: number; message: string };
    return [error.errorCode, typeof error.message === "string" && error.message.length > 0];
  }
  throw new Error("expected the call to be refused");
}

describe("refused at the call: bound to a record deleted on this device", () => {
  it("a create or an update whose lookup points at a locally deleted record", async () => {
    const { api, snapshot } = testApi();
    const { id: account } = await api.offline.createRecord("account", { name: "Gone" });
    const { id: contact } = await api.offline.createRecord("contact", { lastname: "Kept" });
    await api.offline.deleteRecord("account", account);
    const before = await snapshot();

    expect(
      await refusal(
        api.offline.createRecord("contact", {
          lastname: "New",
          "parentcustomerid_account@odata.bind": `/accounts(${account})`,
        }),
      ),
    ).toEqual([OBJECT_DOES_NOT_EXIST, true]);
    expect(
      await refusal(
        api.offline.updateRecord("contact", contact, {
          "parentcustomerid_account@odata.bind": `/accounts(${account})`,
        }),
      ),
    ).toEqual([OBJECT_DOES_NOT_EXIST, true]);
    // The deprecated lookup object form too.
    expect(
      await refusal(
        api.offline.updateRecord("contact", contact, {
          parentcustomerid: { logicalname: "account", id: account },
        }),
      ),
    ).toEqual([OBJECT_DOES_NOT_EXIST, true]);
    expect(await snapshot()).toEqual(before);

    // Clearing the lookup, or binding to a live record, still works.
    await api.offline.updateRecord("contact", contact, { "parentcustomerid_account@odata.bind": null });
    const { id: live } = await api.offline.createRecord("account", { name: "Live" });
    await api.offline.updateRecord("contact", contact, {
      "parentcustomerid_account@odata.bind": `/accounts(${live})`,
    });
    expect((await snapshot()).outbox).toHaveLength(before.outbox.length + 3);
    await api.close();
  });
});

describe("refused at the call: larger than the server's request size limit", () => {
  const columns = (n: number, length: number) =>
    Object.fromEntries(
      ["description", "address1_composite", "address2_composite", "address1_line1", "address1_line2"]
        .concat(["address1_line3", "address2_line1", "address2_line2", "address2_line3", "address1_name"])
        .concat(["address2_name", "address1_city", "address2_city", "address1_county", "address2_county"])
        .concat(["address1_country", "address2_country", "websiteurl"])
        .slice(0, n)
        .map((c, i) => [c, String.fromCharCode(97 + i).repeat(length)]),
    );

  // The example (18 columns of 1,000,000 characters against a 16 MB server), scaled down
  // ten times to keep the suite fast: 18 columns of 100,000 characters against 1.6 MB.
  it("18 columns of 100,000 characters exceed a 1.6 MB server: refused, nothing written", async () => {
    const { api, snapshot } = testApi({ maxRequestBytes: 16 * 1024 * 100 });
    const { id } = await api.offline.createRecord("account", { name: "small" });
    const before = await snapshot();
    expect(await refusal(api.offline.createRecord("account", columns(18, 100_000)))).toEqual([
      REQUEST_TOO_LARGE,
      true,
    ]);
    expect(await refusal(api.offline.updateRecord("account", id, columns(18, 100_000)))).toEqual([
      REQUEST_TOO_LARGE,
      true,
    ]);
    expect(await snapshot()).toEqual(before);
    await api.close();
  });

  it("counts non-ASCII text as the $batch encoding sends it (\\uXXXX), and accepts what fits", async () => {
    const { api, snapshot } = testApi({ maxRequestBytes: 64 * 1024 });
    // 20,000 'é' are 20,000 characters but 120,000 bytes on the wire.
    expect(await refusal(api.offline.createRecord("account", { description: "é".repeat(20_000) }))).toEqual([
      REQUEST_TOO_LARGE,
      true,
    ]);
    expect((await snapshot()).records).toEqual([]);
    const ok = await api.offline.createRecord("account", { description: "e".repeat(20_000) });
    expect((await snapshot()).records.map((r) => r._id ?? r.accountid)).toEqual([ok.id]);
    await api.close();
  });

  it("refuses a bad maxRequestBytes option", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 100, "1000000"]) {
      let code: number | undefined;
      try {
        testApi({ maxRequestBytes: bad as number });
      } catch (e) {
        code = (e as { errorCode: number }).errorCode;
      }
      expect([bad, code]).toEqual([bad, INVALID_ARGUMENT]);
    }
  });
});
