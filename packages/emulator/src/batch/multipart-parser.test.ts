import { describe, expect, it } from "vitest";
import { boundaryOf, parseBatch } from "./multipart-parser.ts";

describe("boundaryOf", () => {
  it("reads quoted and unquoted boundaries of multipart/mixed only", () => {
    expect(boundaryOf('multipart/mixed; boundary="batch_1"')).toBe("batch_1");
    expect(boundaryOf("multipart/mixed;boundary=batch_2; charset=x")).toBe("batch_2");
    expect(boundaryOf("application/json")).toBeUndefined();
    expect(boundaryOf(undefined)).toBeUndefined();
  });
});

describe("parseBatch", () => {
  const body = [
    "--b",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "GET http://host/api/data/v9.2/accounts?$select=name HTTP/1.1",
    "Accept: application/json",
    "",
    "",
    "--b",
    'Content-Type: multipart/mixed; boundary="cs"',
    "",
    "--cs",
    "Content-Type: application/http",
    "Content-ID: 1",
    "",
    "POST /api/data/v9.2/tasks HTTP/1.1",
    "Content-Type: application/json",
    "",
    '{"subject":"a\\nb"}',
    "--cs--",
    "--b--",
    "epilogue",
  ];
  for (const [label, eol] of [
    ["CRLF", "\r\n"],
    ["LF", "\n"],
  ]) {
    it(`parses requests and change sets (${label})`, () => {
      expect(parseBatch("multipart/mixed; boundary=b", body.join(eol))).toEqual([
        {
          kind: "operation",
          operation: {
            method: "GET",
            url: "http://host/api/data/v9.2/accounts?$select=name",
            headers: new Map([["accept", "application/json"]]),
            body: "",
          },
        },
        {
          kind: "changeset",
          operations: [
            {
              contentId: "1",
              method: "POST",
              url: "/api/data/v9.2/tasks",
              headers: new Map([["content-type", "application/json"]]),
              body: '{"subject":"a\\nb"}',
            },
          ],
        },
      ]);
    });
  }

  it("rejects nested change sets, missing closing delimiters and non-http parts", () => {
    const nested = [
      "--b",
      "Content-Type: multipart/mixed; boundary=c1",
      "",
      "--c1",
      "Content-Type: multipart/mixed; boundary=c2",
      "",
      "--c2--",
      "--c1--",
      "--b--",
    ].join("\r\n");
    expect(() => parseBatch("multipart/mixed; boundary=b", nested)).toThrow(/cannot be nested/);
    expect(() =>
      parseBatch(
        "multipart/mixed; boundary=b",
        "--b\r\nContent-Type: application/http\r\n\r\nGET x HTTP/1.1\r\n",
      ),
    ).toThrow(/closing/);
    expect(() =>
      parseBatch("multipart/mixed; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--"),
    ).toThrow(/application\/http/);
    expect(() => parseBatch("application/json", "{}")).toThrow(/multipart\/mixed/);
  });
});
