// docs/testing.md shows real code: a block after `<!-- file: path -->` is that file, verbatim; a
// block after `<!-- from: path -->` is a run of that file's lines (indentation aside).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const doc = readFileSync(`${root}docs/testing.md`, "utf8");
const blocks = [...doc.matchAll(/<!-- (file|from): (\S+) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => ({
  kind: m[1] as "file" | "from",
  path: m[2] as string,
  code: m[3] as string,
}));

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

describe("docs/testing.md", () => {
  it("has the complete example (script and test) and the scenario snippets", () => {
    expect(blocks.filter((b) => b.kind === "file").map((b) => b.path)).toEqual([
      "packages/testing/test/examples/account-form.ts",
      "packages/testing/test/examples/account-form.test.ts",
    ]);
    expect(blocks.filter((b) => b.kind === "from")).toHaveLength(4);
  });

  it.each(blocks.map((b) => [`${b.kind} ${b.path}`, b] as const))(
    "%s matches the repository",
    (_name, block) => {
      const source = readFileSync(`${root}${block.path}`, "utf8");
      if (block.kind === "file") {
        expect(block.code).toBe(source);
        return;
      }
      const want = lines(block.code);
      const have = lines(source);
      const at = have.findIndex((_, i) => want.every((l, j) => have[i + j] === l));
      expect(at, `snippet not found in ${block.path}:\n${block.code}`).toBeGreaterThanOrEqual(0);
    },
  );
});
