import { describe, expect, it } from "vitest";
import { parseFilter, tokenize } from "./filter-parser.ts";

describe("parseFilter", () => {
  it("parses precedence: not > and > or, with parentheses", () => {
    expect(parseFilter("a eq 1 or b eq 2 and not c eq 3")).toEqual({
      type: "or",
      left: {
        type: "compare",
        op: "eq",
        left: { type: "property", name: "a" },
        right: { type: "literal", kind: "number", value: 1 },
      },
      right: {
        type: "and",
        left: {
          type: "compare",
          op: "eq",
          left: { type: "property", name: "b" },
          right: { type: "literal", kind: "number", value: 2 },
        },
        right: {
          type: "not",
          operand: {
            type: "compare",
            op: "eq",
            left: { type: "property", name: "c" },
            right: { type: "literal", kind: "number", value: 3 },
          },
        },
      },
    });
    expect(parseFilter("(a eq 1 or b eq 2) and c eq 3").type).toBe("and");
  });

  it("reads every literal kind", () => {
    const kinds = tokenize(
      "'it''s' 12 -3.5 2.5m true null 11111111-2222-3333-4444-555555555555 2024-05-01T08:30:00Z 2024-05-01 name",
    ).map((t) => (t.t === "literal" ? [t.kind, t.v] : [t.t, "v" in t ? t.v : null]));
    expect(kinds).toEqual([
      ["string", "it's"],
      ["number", 12],
      ["number", -3.5],
      ["number", 2.5],
      ["boolean", true],
      ["null", null],
      ["guid", "11111111-2222-3333-4444-555555555555"],
      ["datetime", "2024-05-01T08:30:00Z"],
      ["date", "2024-05-01"],
      ["ident", "name"],
    ]);
  });

  it("parses functions and in", () => {
    expect(parseFilter("contains(name,'x')")).toEqual({
      type: "function",
      name: "contains",
      args: [
        { type: "property", name: "name" },
        { type: "literal", kind: "string", value: "x" },
      ],
    });
    expect(parseFilter("code in (1, 2)")).toMatchObject({ type: "in", values: [{ value: 1 }, { value: 2 }] });
  });

  it("throws 0x0 query errors on garbage", () => {
    for (const bad of [
      "",
      "name",
      "name eq",
      "eq 1",
      "name eq 'x",
      "foo(name,'x')",
      "(name eq 1",
      "name eq 1)",
      "name ~ 1",
      "a eq 1 and",
    ]) {
      expect(() => parseFilter(bad), bad).toThrow(expect.objectContaining({ httpStatus: 400 }));
    }
    expect(() => parseFilter(`${"(".repeat(200)}a eq 1${")".repeat(200)}`)).toThrow(
      expect.objectContaining({ httpStatus: 400 }),
    );
  });
});
