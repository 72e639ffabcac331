import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BatchPart } from "./batch-types.ts";
import { encodeBatch, MAX_BATCH_REQUESTS } from "./encode-batch.ts";
import { splitMultipart } from "./split-multipart.ts";
import { TransportError } from "./transport-error.ts";

const ROOT = "https://org.example.com/api/data/v9.2/";
const ACCOUNT = "00000000-0000-0000-0000-000000000001";

function ids(...values: string[]): () => string {
  const queue = [...values];
  return () => queue.shift() ?? "exhausted";
}

function rejection(run: () => unknown): TransportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected encodeBatch to throw");
}

describe("encodeBatch", () => {
  it("writes the multipart body Dataverse documents, byte for byte", () => {
    const parts: BatchPart[] = [
      {
        kind: "changeset",
        requests: [
          {
            method: "POST",
            url: "leads",
            headers: {},
            body: { firstname: "first name", lastname: "last name" },
          },
          { method: "POST", url: "contacts", headers: {}, body: { firstname: "first name" } },
          {
            method: "POST",
            url: "accounts",
            headers: { Prefer: "return=representation" },
            body: {
              name: "IcM Account",
              "originatingleadid@odata.bind": "$1",
              "primarycontactid@odata.bind": "$2",
            },
          },
          { method: "PATCH", url: "$1", headers: { "If-Match": "*" }, body: { subject: "Café ☕" } },
        ],
      },
      { kind: "request", request: { method: "GET", url: `accounts(${ACCOUNT})?$select=name`, headers: {} } },
    ];
    const encoded = encodeBatch(parts, { serviceRoot: ROOT, newId: ids("AAA", "BBB") });
    expect(encoded.boundary).toBe("batch_AAA");
    expect(encoded.contentType).toBe("multipart/mixed; boundary=batch_AAA");
    expect(encoded.layout).toEqual([
      { kind: "changeset", contentIds: ["1", "2", "3", "4"], methods: ["POST", "POST", "POST", "PATCH"] },
      // A single request has its Content-ID too, so its answer can be matched by it.
      { kind: "request", contentId: "5", method: "GET" },
    ]);
    expect(encoded.requestCount).toBe(5);
    expect(encoded.body).toBe(
      [
        "--batch_AAA",
        "Content-Type: multipart/mixed; boundary=changeset_BBB",
        "",
        "--changeset_BBB",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 1",
        "",
        `POST ${ROOT}leads HTTP/1.1`,
        "Content-Type: application/json; type=entry",
        "",
        '{"firstname":"first name","lastname":"last name"}',
        "--changeset_BBB",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 2",
        "",
        `POST ${ROOT}contacts HTTP/1.1`,
        "Content-Type: application/json; type=entry",
        "",
        '{"firstname":"first name"}',
        "--changeset_BBB",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 3",
        "",
        `POST ${ROOT}accounts HTTP/1.1`,
        "Prefer: return=representation",
        "Content-Type: application/json; type=entry",
        "",
        '{"name":"IcM Account","originatingleadid@odata.bind":"$1","primarycontactid@odata.bind":"$2"}',
        "--changeset_BBB",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 4",
        "",
        "PATCH $1 HTTP/1.1",
        "If-Match: *",
        "Content-Type: application/json; type=entry",
        "",
        '{"subject":"Caf\\u00e9 \\u2615"}',
        "--changeset_BBB--",
        "--batch_AAA",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 5",
        "",
        `GET ${ROOT}accounts(${ACCOUNT})?$select=name HTTP/1.1`,
        "Accept: application/json",
        "",
        "--batch_AAA--",
        "",
      ].join("\r\n"),
    );
  });

  it("numbers Content-IDs across the batch around explicit ones, and never copies Authorization", () => {
    const encoded = encodeBatch(
      [
        {
          kind: "changeset",
          requests: [
            { method: "POST", url: "accounts", headers: { Authorization: "Bearer leaked" }, body: {} },
            { method: "POST", url: "accounts", headers: {}, body: {}, contentId: "2" },
          ],
        },
        { kind: "changeset", requests: [{ method: "DELETE", url: `accounts(${ACCOUNT})`, headers: {} }] },
      ],
      { serviceRoot: ROOT, newId: ids("a", "b", "c") },
    );
    expect(encoded.layout).toEqual([
      { kind: "changeset", contentIds: ["1", "2"], methods: ["POST", "POST"] },
      { kind: "changeset", contentIds: ["3"], methods: ["DELETE"] },
    ]);
    expect(encoded.body).not.toContain("leaked");
    expect(encoded.body).toContain(`DELETE ${ROOT}accounts(${ACCOUNT}) HTTP/1.1\r\n\r\n--changeset_c--`);
  });

  it("uses crypto.randomUUID boundaries by default", () => {
    const encoded = encodeBatch(
      [{ kind: "request", request: { method: "GET", url: "accounts", headers: {} } }],
      {
        serviceRoot: ROOT,
      },
    );
    expect(encoded.boundary).toMatch(
      /^batch_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  const BAD: Array<[string, BatchPart[]]> = [
    ["no parts", []],
    ["an empty change set", [{ kind: "changeset", requests: [] }]],
    [
      "a GET in a change set",
      [{ kind: "changeset", requests: [{ method: "GET", url: "accounts", headers: {} }] }],
    ],
    [
      "a reference before its declaration",
      [
        {
          kind: "changeset",
          requests: [
            { method: "PATCH", url: "$2", headers: {}, body: {} },
            { method: "POST", url: "accounts", headers: {}, body: {} },
          ],
        },
      ],
    ],
    [
      "a bind to a Content-ID of another change set",
      [
        { kind: "changeset", requests: [{ method: "POST", url: "accounts", headers: {}, body: {} }] },
        {
          kind: "changeset",
          requests: [
            {
              method: "POST",
              url: "contacts",
              headers: {},
              body: { "parentcustomerid_account@odata.bind": "$1" },
            },
          ],
        },
      ],
    ],
    [
      "a reference outside a change set",
      [
        {
          kind: "request",
          request: { method: "POST", url: "contacts", headers: {}, body: { "x@odata.bind": "$1" } },
        },
      ],
    ],
    [
      "a duplicate Content-ID",
      [
        {
          kind: "changeset",
          requests: [
            { method: "POST", url: "accounts", headers: {}, body: {}, contentId: "7" },
            { method: "POST", url: "accounts", headers: {}, body: {}, contentId: "7" },
          ],
        },
      ],
    ],
    [
      "a Content-ID with a line break",
      [
        {
          kind: "changeset",
          requests: [{ method: "POST", url: "a", headers: {}, body: {}, contentId: "1\r\nX: y" }],
        },
      ],
    ],
    [
      "a header value with a line break",
      [
        {
          kind: "request",
          request: { method: "GET", url: "accounts", headers: { Prefer: "x\r\n\r\n--batch_AAA" } },
        },
      ],
    ],
    [
      "a URL outside the service root",
      [{ kind: "request", request: { method: "GET", url: "https://evil.example/x", headers: {} } }],
    ],
    [
      "a URL with a line break",
      [{ kind: "request", request: { method: "GET", url: "accounts\r\nGET x", headers: {} } }],
    ],
    [
      "an unknown method",
      [{ kind: "request", request: { method: "HEAD" as "GET", url: "accounts", headers: {} } }],
    ],
    ["an unknown part kind", [{ kind: "other" } as unknown as BatchPart]],
    ["a null request", [{ kind: "changeset", requests: [null as never] }]],
  ];
  for (const [what, parts] of BAD) {
    it(`rejects ${what} with an invalid-request error`, () => {
      const error = rejection(() => encodeBatch(parts, { serviceRoot: ROOT }));
      expect(error.kind).toBe("invalid-request");
      expect(error.errorCode).toBe(0x80040203);
      expect(error.retryable).toBe(false);
    });
  }

  it(`accepts ${MAX_BATCH_REQUESTS} requests and refuses one more`, () => {
    const request = { method: "DELETE" as const, url: `accounts(${ACCOUNT})`, headers: {} };
    const many = (n: number): BatchPart[] => [
      { kind: "changeset", requests: Array.from({ length: n - 1 }, () => request) },
      { kind: "request", request },
    ];
    expect(encodeBatch(many(MAX_BATCH_REQUESTS), { serviceRoot: ROOT }).requestCount).toBe(1000);
    const error = rejection(() => encodeBatch(many(MAX_BATCH_REQUESTS + 1), { serviceRoot: ROOT }));
    expect(error.message).toBe("A batch can hold at most 1000 requests; this one has 1001.");
  });

  it("keeps any string value inside its own part (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 8 }), (values) => {
        const parts: BatchPart[] = values.map((value) => ({
          kind: "request",
          request: { method: "POST", url: "notes", headers: {}, body: { subject: value, [value]: 1 } },
        }));
        const encoded = encodeBatch(parts, { serviceRoot: ROOT, newId: () => "X" });
        const split = splitMultipart(encoded.body, encoded.boundary);
        expect(split?.complete).toBe(true);
        expect(split?.parts).toHaveLength(values.length);
        split?.parts.forEach((part, i) => {
          const json = part.content.split("\n").at(-1) ?? "";
          expect(JSON.parse(json)).toEqual({ subject: values[i], [values[i] ?? ""]: 1 });
          expect(json).toMatch(/^[\x20-\x7e]*$/);
        });
      }),
      { numRuns: 200 },
    );
  });
});
