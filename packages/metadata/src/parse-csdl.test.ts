import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CsdlError, metadataFromCsdl, parseCsdl } from "./parse-csdl.ts";

const fixturePath = fileURLToPath(
  new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url),
);
const xml = readFileSync(fixturePath, "utf8");
const parsed = parseCsdl(xml);
const metadata = metadataFromCsdl(xml);

describe("parseCsdl on the real Dataverse $metadata fixture", () => {
  it("starts with a BOM and still parses", () => {
    expect(xml.charCodeAt(0)).toBe(0xfeff);
    expect(parsed.document.entities.length).toBeGreaterThan(0);
  });

  it("counts every entity type and entity set, injected test types included", () => {
    expect(parsed.entityTypeNames).toHaveLength(265);
    expect(parsed.entitySetNames).toHaveLength(237);
    expect(parsed.entityTypeNames).toContain("ExampleEntity");
    expect(parsed.entityTypeNames).toContain("crmbaseentity");
    // Abstract crmbaseentity has no set, so it is not a table.
    expect(metadata.entity("crmbaseentity")).toBeUndefined();
    expect(metadata.size).toBe(237);
  });

  it("maps logical names to entity set names, which are not always +s", () => {
    expect(metadata.entity("account")?.entitySetName).toBe("accounts");
    expect(metadata.entity("opportunity")?.entitySetName).toBe("opportunities");
    expect(metadata.entity("accountleads")?.entitySetName).toBe("accountleadscollection");
    expect(metadata.entityBySetName("accountleadscollection")?.logicalName).toBe("accountleads");
    expect(metadata.entityBySetName("opportunities")?.logicalName).toBe("opportunity");
  });

  it("reads keys, inherited ones too", () => {
    expect(metadata.entity("account")?.primaryIdAttribute).toBe("accountid");
    expect(metadata.entity("task")?.primaryIdAttribute).toBe("activityid");
    expect(metadata.entity("accountleads")?.primaryIdAttribute).toBe("accountleadid");
  });

  it("takes a principal's own id column, not the inherited ownerid key, as its primary id", () => {
    // CSDL keys systemuser and team on principal's `ownerid`; Dataverse's PrimaryIdAttribute is
    // systemuserid / teamid, and that is what `systemusers(<id>)` addresses.
    expect(metadata.entity("systemuser")?.primaryIdAttribute).toBe("systemuserid");
    expect(metadata.entity("team")?.primaryIdAttribute).toBe("teamid");
    // Every other table keeps its CSDL key: activities their inherited activityid (no taskid).
    const csdlKeys = new Map(
      [...xml.matchAll(/<EntityType Name="([^"]+)"[^>]*>\s*<Key>\s*<PropertyRef Name="([^"]+)"/g)].map(
        (m) => [m[1], m[2]] as const,
      ),
    );
    const differing = parsed.document.entities
      .filter((e) => csdlKeys.has(e.logicalName) && csdlKeys.get(e.logicalName) !== e.primaryIdAttribute)
      .map((e) => `${e.logicalName}:${csdlKeys.get(e.logicalName)}→${e.primaryIdAttribute}`);
    expect(differing).toEqual(["systemuser:ownerid→systemuserid", "team:ownerid→teamid"]);
    for (const activity of ["task", "email", "appointment", "phonecall", "activitypointer", "letter"]) {
      expect(metadata.entity(activity)?.primaryIdAttribute).toBe("activityid");
    }
  });

  it("flattens attributes inherited from a base type (task ← activitypointer)", () => {
    const task = metadata.entity("task")!;
    expect(task.attribute("subject")).toEqual({ name: "subject", type: "Edm.String" });
    expect(task.attribute("_regardingobjectid_value")).toEqual({
      name: "_regardingobjectid_value",
      type: "Edm.Guid",
    });
    expect(task.primaryNameAttribute).toBe("subject");
  });

  it("reads attribute Edm types", () => {
    const account = metadata.entity("account")!;
    expect(account.attribute("name")?.type).toBe("Edm.String");
    expect(account.attribute("creditonhold")?.type).toBe("Edm.Boolean");
    expect(account.attribute("address1_latitude")?.type).toBe("Edm.Double");
    expect(account.attribute("revenue")?.type).toBe("Edm.Decimal");
    expect(account.attribute("accountcategorycode")?.type).toBe("Edm.Int32");
    expect(account.attribute("accountid")?.type).toBe("Edm.Guid");
    expect(account.attribute("Name")).toBeUndefined();
    expect(account.primaryNameAttribute).toBe("name");
  });

  it("reads single-valued navigation properties with their lookup attribute", () => {
    const account = metadata.entity("account")!;
    expect(account.singleValuedNavigation("primarycontactid")).toEqual({
      name: "primarycontactid",
      targetEntity: "contact",
      lookupAttribute: "primarycontactid",
    });
    expect(account.lookup("primarycontactid")?.valueProperty).toBe("_primarycontactid_value");
    expect(account.lookup("primarycontactid")?.targets).toEqual(["contact"]);
  });

  it("reads collection-valued navigation properties", () => {
    expect(metadata.entity("account")?.collectionNavigation("opportunity_customer_accounts")).toEqual({
      name: "opportunity_customer_accounts",
      targetEntity: "opportunity",
    });
    expect(metadata.entity("account")?.collectionNavigation("Account_Tasks")?.targetEntity).toBe("task");
    expect(metadata.entity("opportunity")?.collectionNavigation("Opportunity_Tasks")?.targetEntity).toBe(
      "task",
    );
  });

  it("groups polymorphic navigation properties under their lookup column", () => {
    const task = metadata.entity("task")!;
    expect(task.singleValuedNavigation("regardingobjectid_account_task")).toEqual({
      name: "regardingobjectid_account_task",
      targetEntity: "account",
      lookupAttribute: "regardingobjectid",
    });
    const regarding = task.lookup("regardingobjectid")!;
    expect(regarding.targets).toContain("account");
    expect(regarding.targets).toContain("contact");
    expect(regarding.targets).toContain("opportunity");
    expect(task.navigationFor("regardingobjectid", "contact")?.name).toBe("regardingobjectid_contact_task");
    const opportunity = metadata.entity("opportunity")!;
    expect(opportunity.lookup("customerid")?.targets).toEqual(["account", "contact"]);
  });

  it("is case-sensitive, like the server", () => {
    expect(metadata.entity("Account")).toBeUndefined();
    expect(metadata.entityBySetName("Accounts")).toBeUndefined();
    expect(metadata.entity("account")?.singleValuedNavigation("PrimaryContactId")).toBeUndefined();
    expect(metadata.entity("account")?.collectionNavigation("account_tasks")).toBeUndefined();
  });

  it("does not find hostile names", () => {
    expect(metadata.entity("__proto__")).toBeUndefined();
    expect(metadata.entity("constructor")).toBeUndefined();
    expect(metadata.entity("account")?.attribute("__proto__")).toBeUndefined();
    expect(metadata.entity("account")?.singleValuedNavigation("toString")).toBeUndefined();
  });
});

describe("parseCsdl on bad input", () => {
  it.each([
    ["empty", ""],
    ["not XML", '{ "json": true }'],
    ["XML but not CSDL", "<root><a/></root>"],
  ])("rejects %s with a CsdlError", (_label, input) => {
    expect(() => parseCsdl(input)).toThrow(CsdlError);
  });

  it("accepts a minimal document with one entity", () => {
    const doc = `<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="new_widget"><Key><PropertyRef Name="new_widgetid"/></Key><Property Name="new_widgetid" Type="Edm.Guid"/><Property Name="new_name" Type="Edm.String"/></EntityType><EntityContainer Name="System"><EntitySet Name="new_widgets" EntityType="Microsoft.Dynamics.CRM.new_widget"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
    const m = metadataFromCsdl(doc);
    expect(m.entity("new_widget")?.definition).toEqual({
      logicalName: "new_widget",
      entitySetName: "new_widgets",
      primaryIdAttribute: "new_widgetid",
      attributes: [
        { name: "new_widgetid", type: "Edm.Guid" },
        { name: "new_name", type: "Edm.String" },
      ],
      singleValuedNavigations: [],
      collectionNavigations: [],
    });
  });
});
