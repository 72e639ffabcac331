import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { describe, expect, it } from "vitest";
import { binaryColumns } from "./binary-columns.ts";

describe("binaryColumns: the columns whose base64 values are kept apart", () => {
  it("gives a note's and an email attachment's body, and each table's image columns", () => {
    const md = bundledMetadata().extend({
      entities: [
        {
          logicalName: "incident",
          attributes: [
            { name: "new_photo", type: "Edm.Binary" },
            { name: "new_photoid", type: "Edm.Guid" },
            { name: "new_photo_timestamp", type: "Edm.Int64" },
            { name: "new_photo_url", type: "Edm.String" },
            // Edm.Binary without the companions: not an image column, stays in the row.
            { name: "new_blob", type: "Edm.Binary" },
          ],
        },
      ],
    });
    expect(binaryColumns(md, "annotation")).toEqual(["documentbody"]);
    expect(binaryColumns(md, "contact")).toEqual(["entityimage"]);
    expect(binaryColumns(md, "incident")).toEqual(["entityimage", "new_photo"]);
    expect(binaryColumns(bundledMetadata(), "incident")).toEqual(["entityimage"]);
    expect(binaryColumns(md, "task")).toEqual([]);
    expect(binaryColumns(md, "no_such_table")).toEqual([]);
  });
});
