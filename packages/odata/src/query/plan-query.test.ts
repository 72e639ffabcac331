// FetchXML is loaded on demand (issue 13, "pay only for what you use"): planQuery loads the reader
// when the options hold fetchXml and gives the same plan as a parse with the reader passed in.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { describe, expect, it, vi } from "vitest";
import { parseFetchXml } from "../fetchxml/fetchxml-parse.ts";
import { planQuery } from "./plan-query.ts";
import { parseQueryOptions } from "./query-options.ts";

const metadata = bundledMetadata();
const FETCH = `<fetch top="5"><entity name="account"><attribute name="name"/><filter><condition attribute="name" operator="like" value="Con%"/></filter></entity></fetch>`;

describe("planQuery", () => {
  it("reads fetchXml, encoded or not, into the same plan as parseQueryOptions with the reader", async () => {
    const expected = parseQueryOptions(metadata, "account", `?fetchXml=${FETCH}`, {
      fetchXml: parseFetchXml,
    });
    expect(expected.source).toBe("fetchxml");
    expect(await planQuery(metadata, "account", `?fetchXml=${FETCH}`)).toEqual(expected);
    expect(await planQuery(metadata, "account", `?fetchXml=${encodeURIComponent(FETCH)}`)).toEqual(expected);
    expect(await planQuery(metadata, "account", `fetchxml=${FETCH}`)).toEqual(expected);
  });

  it("gives OData options the plan parseQueryOptions gives, and the same errors", async () => {
    const options = "?$select=name&$filter=revenue gt 5&$top=3";
    expect(await planQuery(metadata, "account", options)).toEqual(
      parseQueryOptions(metadata, "account", options),
    );
    // Each refusal is the synchronous parse's, code for code.
    for (const [bad, settings] of [
      ["?$skip=1", {}],
      ["?fetchXml=<fetch", {}],
      [`?fetchXml=${FETCH}`, { target: "record" }],
    ] as const) {
      let expected: unknown;
      try {
        parseQueryOptions(metadata, "account", bad, { ...settings, fetchXml: parseFetchXml });
      } catch (e) {
        expected = e;
      }
      expect(expected).toMatchObject({ errorCode: expect.any(Number) });
      await expect(planQuery(metadata, "account", bad, settings)).rejects.toMatchObject({
        errorCode: (expected as { errorCode: number }).errorCode,
      });
    }
  });

  it("before the reader is loaded, a synchronous parse of fetchXml is refused with NotSupported", async () => {
    // A fresh copy of the modules: the test set-up has loaded the reader into the shared ones.
    vi.resetModules();
    const fresh = (await import("./query-options.ts")) as typeof import("./query-options.ts");
    expect(() => fresh.parseQueryOptions(metadata, "account", `?fetchXml=${FETCH}`)).toThrow(
      expect.objectContaining({ errorCode: 0x80040315 }),
    );
    expect(fresh.parseQueryOptions(metadata, "account", "?$select=name").source).not.toBe("fetchxml");
  });
});
