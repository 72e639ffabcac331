import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { metadataFromCsdl } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, generateCsdl } from "../src/index.ts";
import { partnersFromCsdl } from "../src/schema/partner-map.ts";
import { loadSchema } from "../src/schema/schema.ts";
import { type Client, withEmulator } from "./helpers.ts";

const FIXTURE = resolve(
  import.meta.dirname,
  "../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml",
);

describe("service document, $metadata, EntityDefinitions (bundled metadata)", () => {
  let emu: Emulator;
  let api: Client;
  beforeAll(async () => {
    ({ emu, api } = await withEmulator());
  });
  afterAll(() => emu.close());

  it("serves the service document", async () => {
    for (const path of ["", `${emu.url}`]) {
      const res = await api.get(path);
      expect(res.status).toBe(200);
      expect(res.json["@odata.context"]).toBe(`${emu.url}/$metadata`);
      expect(res.json.value).toContainEqual({ name: "accounts", kind: "EntitySet", url: "accounts" });
      expect(res.json.value!.length).toBe(19);
    }
  });

  it("generates a CSDL document for the bundled tables that parses back to the same tables", async () => {
    const res = await api.get("$metadata");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/xml");
    const parsed = metadataFromCsdl(res.text);
    const bundled = bundledMetadata();
    expect(parsed.size).toBe(bundled.size);
    for (const e of bundled.entities()) {
      const p = parsed.entity(e.logicalName)!;
      expect([p.entitySetName, p.primaryIdAttribute]).toEqual([e.entitySetName, e.primaryIdAttribute]);
      expect([...p.attributes()].map((a) => `${a.name}:${a.type}`).sort()).toEqual(
        [...e.attributes()].map((a) => `${a.name}:${a.type}`).sort(),
      );
      expect(
        [...p.singleValuedNavigations()]
          .map((n) => `${n.name}>${n.targetEntity}:${n.lookupAttribute}`)
          .sort(),
      ).toEqual(
        [...e.singleValuedNavigations()]
          .map((n) => `${n.name}>${n.targetEntity}:${n.lookupAttribute}`)
          .sort(),
      );
      expect([...p.collectionNavigations()].map((n) => n.name).sort()).toEqual(
        [...e.collectionNavigations()].map((n) => n.name).sort(),
      );
    }
    expect(partnersFromCsdl(res.text).get("account")?.get("opportunity_customer_accounts")).toBe(
      "customerid_account",
    );
    expect(generateCsdl(bundled, loadSchema().partners)).toBe(res.text);
  });

  it("answers EntityDefinitions by collection, $filter and key", async () => {
    const all = await api.get("EntityDefinitions?$select=LogicalName,EntitySetName");
    expect(all.json["@odata.context"]).toBe(
      `${emu.url}/$metadata#EntityDefinitions(LogicalName,EntitySetName)`,
    );
    expect(all.json.value).toContainEqual({
      MetadataId: expect.any(String),
      LogicalName: "opportunity",
      EntitySetName: "opportunities",
    });
    expect(all.json.value!.length).toBe(18);
    const one = await api.get(
      "EntityDefinitions(LogicalName='account')?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute",
    );
    expect(one.json).toEqual({
      "@odata.context": `${emu.url}/$metadata#EntityDefinitions(LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute)/$entity`,
      MetadataId: one.json.MetadataId,
      LogicalName: "account",
      EntitySetName: "accounts",
      PrimaryIdAttribute: "accountid",
      PrimaryNameAttribute: "name",
    });
    const byId = await api.get(`EntityDefinitions(${one.json.MetadataId as string})?$select=LogicalName`);
    expect(byId.json.LogicalName).toBe("account");
    const filtered = await api.get(
      "EntityDefinitions?$select=LogicalName&$filter=PrimaryIdAttribute eq 'activityid' and LogicalName ne 'activitypointer'",
    );
    expect(filtered.json.value!.map((v) => v.LogicalName).sort()).toEqual([
      "appointment",
      "email",
      "phonecall",
      "task",
    ]);
    const attrs = await api.get(
      "EntityDefinitions(LogicalName='contact')/Attributes?$select=LogicalName,AttributeType",
    );
    expect(attrs.json.value).toContainEqual({
      MetadataId: expect.any(String),
      LogicalName: "_parentcustomerid_value",
      AttributeType: "Lookup",
    });
    expect((await api.get("EntityDefinitions(LogicalName='nope')")).status).toBe(404);
    expect((await api.get("EntityDefinitions?$select=Nope")).status).toBe(400);
  });

  it("answers 404 outside the service root and 405 for wrong methods", async () => {
    const outside = await fetch(`${emu.origin}/api/data/v9.1/accounts`);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe("0x80060888");
    const patchCollection = await api.patch("accounts", { name: "x" });
    expect(patchCollection.status).toBe(405);
    expect((await api.post("$metadata", {})).status).toBe(405);
  });
});

describe("the full fixture CSDL", () => {
  let emu: Emulator;
  let api: Client;
  let xml: string;
  beforeAll(async () => {
    xml = readFileSync(FIXTURE, "utf8");
    ({ emu, api } = await withEmulator({ metadata: xml }));
  });
  afterAll(() => emu.close());

  it("serves the CSDL it loaded and every entity set in it", async () => {
    const res = await api.get("$metadata");
    expect(res.text).toBe(xml.replace(/^\uFEFF/, ""));
    const doc = await api.get("");
    expect(doc.json.value!.map((v) => v.name)).toContain("knowledgearticles");
    const created = await api.post("faxes", { subject: "fax" });
    expect(created.status).toBe(204);
    const deep = await api.post("accounts", {
      name: "deep",
      opportunity_customer_accounts: [{ name: "o", Opportunity_Tasks: [{ subject: "t" }] }],
    });
    expect(deep.status).toBe(204);
    expect(emu.count("task")).toBe(1);
  });
});
