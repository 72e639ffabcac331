// The pure parts of the pull: reading collection pages, checkpoints, request URLs.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { XrmError } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { readPage, rowId } from "./collection-page.ts";
import { normalizeOfflineTables } from "./offline-profile.ts";
import { byIdsUrl, chunks, countUrl, idsUrl, rowsUrl } from "./pull-requests.ts";
import { fullDownload, parseCheckpoint, storedLink } from "./table-checkpoint.ts";
import { countCapped, readTotalRecordCount, totalRecordCountUrl } from "./total-record-count.ts";

const ID1 = "5531d753-95af-e711-a94e-000d3a11e605";
const ID2 = "465b158c-541c-e511-80d3-3863bb347ba8";

describe("readPage", () => {
  it("splits a delta answer into rows and $deletedEntity ids, and reads its links", () => {
    const page = readPage(
      {
        "@odata.context": "https://x/api/data/v9.2/$metadata#accounts/$delta",
        value: [
          { "@odata.etag": 'W/"1"', accountid: ID1, name: "a" },
          {
            "@odata.context": "https://x/api/data/v9.2/$metadata#accounts/$deletedEntity",
            id: ID2.toUpperCase(),
            reason: "deleted",
          },
          { "@odata.context": "https://x/api/data/v9.2/$metadata#accounts/$link", source: "x" },
        ],
        "@odata.deltaLink": "https://x/api/data/v9.2/accounts?$deltatoken=9!x",
      },
      "t",
    );
    expect(page).toEqual({
      rows: [{ "@odata.etag": 'W/"1"', accountid: ID1, name: "a" }],
      deletedIds: [ID2],
      deltaLink: "https://x/api/data/v9.2/accounts?$deltatoken=9!x",
    });
  });

  it("reads nextLink and count", () => {
    expect(
      readPage({ value: [], "@odata.nextLink": "accounts?$skiptoken=1", "@odata.count": 12 }, "t"),
    ).toEqual({
      rows: [],
      deletedIds: [],
      nextLink: "accounts?$skiptoken=1",
      count: 12,
    });
    // A count that is not a count is ignored (progress only).
    expect(readPage({ value: [], "@odata.count": "12" }, "t").count).toBeUndefined();
  });

  it("rejects answers that are not collections, naming the request", () => {
    for (const body of [undefined, "text", [], { value: {} }, { value: [1] }, { value: [null] }]) {
      expect(() => readPage(body, "the pull of 'account'")).toThrow(
        /the pull of 'account' is not a valid OData collection/,
      );
    }
    expect(() => readPage({ value: [], "@odata.nextLink": 5 }, "t")).toThrow(
      /'@odata.nextLink' is not a URL/,
    );
    expect(() =>
      readPage({ value: [{ "@odata.context": "#accounts/$deletedEntity", id: "not-a-guid" }] }, "t"),
    ).toThrow(XrmError);
  });

  it("rowId normalises the key and refuses rows without one", () => {
    expect(rowId({ accountid: ID1.toUpperCase() }, "accountid", "t")).toBe(ID1);
    expect(() => rowId({ accountid: "00000000-0000-0000-0000-000000000000" }, "accountid", "t")).toThrow(
      /no valid 'accountid'/,
    );
    expect(() => rowId({ name: "x" }, "accountid", "t")).toThrow(
      expect.objectContaining({ errorCode: 0x80040216, message: expect.stringContaining("'accountid'") }),
    );
  });
});

describe("checkpoints", () => {
  it("round-trips a saved checkpoint and refuses anything garbled (the table is then downloaded again)", () => {
    const cp = fullDownload("all", "first-sync", false, true);
    expect(cp).toEqual({
      v: 1,
      scope: "all",
      phase: "rows",
      link: null,
      token: null,
      sweep: true,
      kind: "first-sync",
      done: 0,
      total: null,
    });
    expect(parseCheckpoint(structuredClone(cp))).toEqual(cp);
    expect(
      parseCheckpoint({ ...cp, phase: "delta", link: "accounts?$deltatoken=1", kind: null }),
    ).toBeDefined();
    for (const bad of [
      undefined,
      null,
      "pull",
      { ...cp, v: 2 },
      { ...cp, phase: "other" },
      { ...cp, phase: "delta", link: null },
      { ...cp, done: 1.5 },
      { ...cp, total: "3" },
      { ...cp, sweep: "yes" },
      { ...cp, kind: "delta" },
    ]) {
      expect(parseCheckpoint(bad)).toBeUndefined();
    }
  });

  it("stores links without their origin", () => {
    expect(storedLink("http://127.0.0.1:5555/api/data/v9.2/accounts?$deltatoken=5!x")).toBe(
      "/api/data/v9.2/accounts?$deltatoken=5!x",
    );
    expect(storedLink("accounts?$skiptoken=x")).toBe("accounts?$skiptoken=x");
  });
});

describe("request URLs", () => {
  const profile = normalizeOfflineTables(
    { account: { filter: "name eq 'A&B'" }, contact: {} },
    bundledMetadata(),
  );
  const account = profile.table("account")!;
  const contact = profile.table("contact")!;

  it("encodes the filter as one query value", () => {
    expect(rowsUrl(account)).toBe("accounts?$filter=name%20eq%20'A%26B'");
    expect(rowsUrl(contact)).toBe("contacts");
    expect(idsUrl(account, undefined)).toBe("accounts?$select=accountid");
    expect(idsUrl(account, account.own?.filter)).toBe(
      "accounts?$select=accountid&$filter=name%20eq%20'A%26B'",
    );
    expect(countUrl(contact)).toBe("contacts?$select=contactid&$count=true");
  });

  it("asks for rows by id with or without the filter", () => {
    expect(decodeURIComponent(byIdsUrl(contact, [ID1, ID2]))).toBe(
      `contacts?$filter=contactid eq ${ID1} or contactid eq ${ID2}`,
    );
    expect(decodeURIComponent(byIdsUrl(account, [ID1], { filter: "name eq 'A&B'" }))).toBe(
      `accounts?$filter=(name eq 'A&B') and (accountid eq ${ID1})`,
    );
  });

  it("chunks", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});

describe("counts past the $count cap", () => {
  it("reads whether @odata.count was capped, and RetrieveTotalRecordCount's answer", () => {
    const page = readPage(
      { value: [], "@odata.count": 5000, "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": true },
      "x",
    );
    expect(page).toMatchObject({ count: 5000, countLimitExceeded: true });
    expect(countCapped(5000, true)).toBe(true);
    expect(countCapped(5000, false)).toBe(false);
    // No annotation: at the limit may be more.
    expect(countCapped(5000, undefined)).toBe(true);
    expect(countCapped(4999, undefined)).toBe(false);

    expect(decodeURIComponent(totalRecordCountUrl("account"))).toBe(
      "RetrieveTotalRecordCount(EntityNames=@p1)?@p1=['account']",
    );
    const answer = (values: unknown[]) => ({
      EntityRecordCountCollection: {
        Count: 2,
        IsReadOnly: false,
        Keys: ["contact", "account"],
        Values: values,
      },
    });
    expect(readTotalRecordCount(answer([3, 20004]), "account")).toBe(20004);
    // Int64 as a string (IEEE754Compatible).
    expect(readTotalRecordCount(answer(["3", "20004"]), "account")).toBe(20004);
    expect(readTotalRecordCount(answer([3, 20004]), "task")).toBeNull();
    expect(readTotalRecordCount(answer([3, -1]), "account")).toBeNull();
    expect(readTotalRecordCount({ value: [] }, "account")).toBeNull();
    expect(readTotalRecordCount(null, "account")).toBeNull();
  });
});
