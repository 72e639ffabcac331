import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bundledMetadata } from "./bundled.ts";
import { imageColumnsOf, isImageColumn } from "./image-columns.ts";
import { metadataFromCsdl } from "./parse-csdl.ts";

const xml = readFileSync(
  fileURLToPath(new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url)),
  "utf8",
);
const real = metadataFromCsdl(xml);

describe("image columns from CSDL", () => {
  it("finds entityimage on every table of the real $metadata that has one, and no other Edm.Binary", () => {
    const found: string[] = [];
    const binaries: string[] = [];
    for (const e of real.entities()) {
      for (const c of imageColumnsOf(e)) found.push(`${e.logicalName}.${c}`);
      for (const a of e.attributes()) if (a.type === "Edm.Binary") binaries.push(a.name);
    }
    expect(found).toHaveLength(25);
    expect(new Set(found.map((f) => f.split(".")[1]))).toEqual(new Set(["entityimage"]));
    expect(found).toContain("contact.entityimage");
    // The fixture's other binaries are attachment bodies: Edm.Binary without the companions.
    expect(new Set(binaries.filter((b) => b !== "entityimage"))).toEqual(
      new Set(["body_binary", "bodybinary_binary", "content_binary", "documentbody_binary"]),
    );
    expect(isImageColumn(real.entity("annotation")!, "documentbody_binary")).toBe(false);
  });

  it("knows a custom image column by its companions, and not without them", () => {
    const image = (name: string) => [
      { name, type: "Edm.Binary" as const },
      { name: `${name}id`, type: "Edm.Guid" as const },
      { name: `${name}_timestamp`, type: "Edm.Int64" as const },
      { name: `${name}_url`, type: "Edm.String" as const },
    ];
    const md = bundledMetadata().extend({
      entities: [
        {
          logicalName: "incident",
          attributes: [
            ...image("new_photo"),
            ...image("new_sketch").slice(0, 3), // no _url
            { name: "new_blob", type: "Edm.Binary" },
          ],
        },
      ],
    });
    const incident = md.entity("incident")!;
    expect(imageColumnsOf(incident)).toEqual(["entityimage", "new_photo"]);
    expect(isImageColumn(incident, "new_photo")).toBe(true);
    expect(isImageColumn(incident, "new_sketch")).toBe(false);
    expect(isImageColumn(incident, "new_blob")).toBe(false);
    expect(isImageColumn(incident, "new_photoid")).toBe(false);
    expect(isImageColumn(incident, "missing")).toBe(false);
  });
});
