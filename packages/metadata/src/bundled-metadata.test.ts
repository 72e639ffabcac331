import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUNDLED_TABLES, bundledMetadata } from "./bundled-metadata.ts";
import { parseCsdl } from "./parse-csdl.ts";
import { selectTables } from "./select-tables.ts";

describe("bundledMetadata", () => {
  const m = bundledMetadata();

  it("has the tables model-driven apps use most", () => {
    for (const t of ["account", "contact", "opportunity", "lead", "incident", "task", "phonecall"]) {
      expect(m.entity(t)?.logicalName).toBe(t);
    }
    for (const t of ["appointment", "email", "annotation", "systemuser", "team"]) {
      expect(m.entity(t)?.logicalName).toBe(t);
    }
    expect([...m.entities()].map((e) => e.logicalName).sort()).toEqual([...BUNDLED_TABLES].sort());
  });

  it("is exactly what the generator produces from the fixture (regenerate with pnpm generate:metadata)", () => {
    const fixture = fileURLToPath(
      new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url),
    );
    const fresh = selectTables(parseCsdl(readFileSync(fixture, "utf8")).document, BUNDLED_TABLES);
    expect(m.toJSON()).toEqual(fresh);
  });

  it("keeps only navigation properties between bundled tables", () => {
    const task = m.entity("task")!;
    expect([...(task.lookup("regardingobjectid")?.targets ?? [])].sort()).toEqual([
      "account",
      "contact",
      "incident",
      "lead",
      "opportunity",
    ]);
    expect(m.entity("account")?.singleValuedNavigation("primarycontactid")?.targetEntity).toBe("contact");
  });

  it("knows primary name attributes", () => {
    expect(m.entity("contact")?.primaryNameAttribute).toBe("fullname");
    expect(m.entity("incident")?.primaryNameAttribute).toBe("title");
    expect(m.entity("systemuser")?.primaryNameAttribute).toBe("fullname");
    expect(m.entity("systemuser")?.primaryIdAttribute).toBe("systemuserid");
    expect(m.entity("team")?.primaryIdAttribute).toBe("teamid");
  });

  it("can be extended with custom navigation properties and tables", () => {
    const extended = m.extend({
      entities: [
        {
          logicalName: "task",
          attributes: [{ name: "_new_relatedopportunities_value", type: "Edm.Guid" }],
          singleValuedNavigations: [
            {
              name: "new_relatedopportunities_task",
              targetEntity: "opportunity",
              lookupAttribute: "new_relatedopportunities",
            },
          ],
        },
        {
          logicalName: "new_workorder",
          entitySetName: "new_workorders",
          primaryIdAttribute: "new_workorderid",
          primaryNameAttribute: "new_name",
          attributes: [
            { name: "new_workorderid", type: "Edm.Guid" },
            { name: "new_name", type: "Edm.String" },
          ],
        },
      ],
    });
    expect(
      extended.entity("task")?.singleValuedNavigation("new_relatedopportunities_task")?.lookupAttribute,
    ).toBe("new_relatedopportunities");
    expect(extended.entity("task")?.attribute("subject")?.type).toBe("Edm.String");
    expect(extended.entityBySetName("new_workorders")?.primaryNameAttribute).toBe("new_name");
    // The original is untouched.
    expect(m.entity("task")?.singleValuedNavigation("new_relatedopportunities_task")).toBeUndefined();
    expect(() => m.extend({ entities: [{ logicalName: "new_x" }] })).toThrow(/needs entitySetName/);
  });
});
