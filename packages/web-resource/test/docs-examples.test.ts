// docs/model-driven-apps.md shows the example web resources verbatim; the browser test runs the files.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const root = new URL("../../../", import.meta.url);
const doc = readFileSync(new URL("docs/model-driven-apps.md", root), "utf8");

it("every `<!-- file: … -->` block of docs/model-driven-apps.md is the file it names", () => {
  const blocks = [...doc.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];
  expect(blocks.map((b) => b[1])).toEqual([
    "packages/web-resource/examples/offline-form.js",
    "packages/web-resource/examples/offline-page.html",
  ]);
  for (const [, path, body] of blocks) {
    expect(body, path).toBe(readFileSync(new URL(path ?? "", root), "utf8"));
  }
});
