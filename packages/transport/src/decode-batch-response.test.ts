import { describe, expect, it } from "vitest";
import type { BatchLayoutPart, BatchPart } from "./batch-types.ts";
import { type BatchHttpResponse, decodeBatchResponse } from "./decode-batch-response.ts";
import { encodeBatch } from "./encode-batch.ts";
import { TransportError } from "./transport-error.ts";

const ORG = "https://org.example.com/api/data/v9.2";
const LEAD = "425195a4-7a75-e911-a97a-000d3a34a1bd";
const CONTACT = "495195a4-7a75-e911-a97a-000d3a34a1bd";
const ACCOUNT = "4f5195a4-7a75-e911-a97a-000d3a34a1bd";
const TASK = "aed2ae8b-3c94-ed11-aad1-000d3a9933c9";
const LENGTH_ERROR = {
  error: {
    code: "0x80044331",
    message:
      "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
  },
};

const crlf = (lines: string[]): string => lines.join("\r\n");
const multipart = (boundary: string) => ({ "content-type": `multipart/mixed; boundary=${boundary}` });

/** A change set of three creates answered in full, shaped like the BATCH doc's sample (reference §4.2). */
const CHANGESET_OK = crlf([
  "--batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a",
  "Content-Type: multipart/mixed; boundary=changesetresponse_1a5db8a1-ec98-42c4-81f6-6bc6adcfa4bc",
  "",
  "--changesetresponse_1a5db8a1-ec98-42c4-81f6-6bc6adcfa4bc",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "Content-ID: 1",
  "",
  "HTTP/1.1 204 No Content",
  "OData-Version: 4.0",
  `Location: ${ORG}/leads(${LEAD})`,
  `OData-EntityId: ${ORG}/leads(${LEAD})`,
  "",
  "--changesetresponse_1a5db8a1-ec98-42c4-81f6-6bc6adcfa4bc",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "Content-ID: 2",
  "",
  "HTTP/1.1 204 No Content",
  "OData-Version: 4.0",
  `Location:${ORG}/contacts(${CONTACT})`,
  `OData-EntityId:${ORG}/contacts(${CONTACT})`,
  "",
  "",
  "--changesetresponse_1a5db8a1-ec98-42c4-81f6-6bc6adcfa4bc",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "Content-ID: 3",
  "",
  "HTTP/1.1 201 Created",
  "OData-Version: 4.0",
  "Content-Type: application/json; odata.metadata=minimal",
  'ETag: W/"536530"',
  "",
  `{"@odata.etag":"W/\\"536530\\"","accountid":"${ACCOUNT}","name":"IcM Account"}`,
  "--changesetresponse_1a5db8a1-ec98-42c4-81f6-6bc6adcfa4bc--",
  "--batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a--",
  "",
]);
const CHANGESET_LAYOUT: BatchLayoutPart[] = [{ kind: "changeset", contentIds: ["1", "2", "3"] }];
const THREE_SINGLES: BatchLayoutPart[] = [{ kind: "request" }, { kind: "request" }, { kind: "request" }];

/** Stop-on-error answer (no continue-on-error): 400 and only the failing part (reference §4.3). */
const STOPPED = crlf([
  "--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a",
  "Content-Type: application/http",
  "Content-Transfer-Encoding: binary",
  "",
  "HTTP/1.1 400 Bad Request",
  "REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026",
  "Content-Type: application/json; odata.metadata=minimal",
  "OData-Version: 4.0",
  "",
  JSON.stringify(LENGTH_ERROR),
  "--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a--",
  "",
]);

/** With continue-on-error: 200 and every part answered. */
function continued(boundary: string): string {
  const ok = (id: string) => [
    `--${boundary}`,
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 204 No Content",
    "OData-Version: 4.0",
    `Location: ${ORG}/tasks(${id})`,
    `OData-EntityId: ${ORG}/tasks(${id})`,
    "",
  ];
  return crlf([
    `--${boundary}`,
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 400 Bad Request",
    "REQ_ID: de4c5227-4a28-4ebd-8ced-3392ece1697b",
    "Content-Type: application/json; odata.metadata=minimal",
    "OData-Version: 4.0",
    "",
    JSON.stringify(LENGTH_ERROR),
    ...ok(TASK),
    ...ok(CONTACT),
    `--${boundary}--`,
    "",
  ]);
}

function thrown(run: () => unknown): TransportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected decodeBatchResponse to throw");
}

describe("decodeBatchResponse", () => {
  it("decodes a successful change set: ids, Content-IDs, bodies, ETags", () => {
    const results = decodeBatchResponse(CHANGESET_LAYOUT, {
      status: 200,
      headers: multipart("batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a"),
      body: CHANGESET_OK,
    });
    expect(results).toEqual([
      {
        outcome: "succeeded",
        contentId: "1",
        status: 204,
        headers: {
          "odata-version": "4.0",
          location: `${ORG}/leads(${LEAD})`,
          "odata-entityid": `${ORG}/leads(${LEAD})`,
        },
        body: undefined,
        entityId: LEAD,
      },
      expect.objectContaining({ outcome: "succeeded", contentId: "2", status: 204, entityId: CONTACT }),
      expect.objectContaining({
        outcome: "succeeded",
        contentId: "3",
        status: 201,
        etag: 'W/"536530"',
        body: { "@odata.etag": 'W/"536530"', accountid: ACCOUNT, name: "IcM Account" },
      }),
    ]);
    expect(results.every((r) => r.error === undefined)).toBe(true);
  });

  it("decodes the same answer with LF-only line endings and a quoted boundary", () => {
    const lf = CHANGESET_OK.replaceAll("\r\n", "\n");
    const results = decodeBatchResponse(CHANGESET_LAYOUT, {
      status: 200,
      headers: {
        "content-type": 'multipart/mixed; boundary="batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a"',
      },
      body: lf,
    });
    const crlfResults = decodeBatchResponse(CHANGESET_LAYOUT, {
      status: 200,
      headers: multipart("batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a"),
      body: CHANGESET_OK,
    });
    expect(results).toEqual(crlfResults);
  });

  it("finds the boundary in the body when the Content-Type lacks it", () => {
    const results = decodeBatchResponse(CHANGESET_LAYOUT, {
      status: 200,
      headers: { "content-type": "multipart/mixed" },
      body: CHANGESET_OK,
    });
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "succeeded", "succeeded"]);
  });

  it("stop-on-error: the failure goes to the first request, the rest are not executed", () => {
    const results = decodeBatchResponse(THREE_SINGLES, {
      status: 400,
      headers: multipart("batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a"),
      body: STOPPED,
    });
    expect(results.map((r) => [r.outcome, r.status])).toEqual([
      ["failed", 400],
      ["not-executed", 0],
      ["not-executed", 0],
    ]);
    const [first, second] = results;
    expect(first?.error?.errorCode).toBe(0x80044331);
    expect(first?.error?.message).toBe(LENGTH_ERROR.error.message);
    expect(first?.error?.retryable).toBe(false);
    expect(first?.error?.status).toBe(400);
    expect(first?.body).toEqual(LENGTH_ERROR);
    expect(first?.headers.req_id).toBe("5ecd1cb3-1730-4ffc-909c-d44c22270026");
    expect(second?.error?.kind).toBe("not-executed");
    expect(second?.error?.retryable).toBe(true);
  });

  it("continue-on-error: every request has its own answer", () => {
    const boundary = "batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139";
    const results = decodeBatchResponse(THREE_SINGLES, {
      status: 200,
      headers: multipart(boundary),
      body: continued(boundary),
    });
    expect(results.map((r) => [r.outcome, r.status, r.entityId])).toEqual([
      ["failed", 400, undefined],
      ["succeeded", 204, TASK],
      ["succeeded", 204, CONTACT],
    ]);
  });

  it("a failed change set: its one error goes to every request, the innocent ones marked rolledBack", () => {
    const b = "batchresponse_x";
    const c = "changesetresponse_y";
    const body = crlf([
      `--${b}`,
      `Content-Type: multipart/mixed; boundary=${c}`,
      "",
      `--${c}`,
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 3",
      "",
      "HTTP/1.1 412 Precondition Failed",
      "Content-Type: application/json; odata.metadata=minimal",
      "",
      '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}',
      `--${c}--`,
      `--${b}`,
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "",
      "HTTP/1.1 200 OK",
      "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true",
      "OData-Version: 4.0",
      "",
      '{"@odata.context":"x","value":[{"name":"A"}]}',
      `--${b}--`,
    ]);
    const layout: BatchLayoutPart[] = [
      { kind: "changeset", contentIds: ["1", "2", "3"] },
      { kind: "request" },
    ];
    const results = decodeBatchResponse(layout, { status: 200, headers: multipart(b), body });
    expect(results.map((r) => [r.outcome, r.contentId, r.status, r.rolledBack])).toEqual([
      ["failed", "1", 412, true],
      ["failed", "2", 412, true],
      ["failed", "3", 412, undefined],
      ["succeeded", undefined, 200, undefined],
    ]);
    const error = results[2]?.error;
    expect(error?.errorCode).toBe(0x80040237);
    expect(results[0]?.error).toBe(error);
    expect(results[1]?.error).toBe(error);
    expect(results[3]?.body).toEqual({ "@odata.context": "x", value: [{ name: "A" }] });
  });

  it("a failed change set answered as a plain part (no Content-ID): every request failed, culprit unknown", () => {
    const results = decodeBatchResponse(
      [{ kind: "changeset", contentIds: ["1", "2"] }, { kind: "request" }],
      {
        status: 400,
        headers: multipart("batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a"),
        body: STOPPED,
      },
    );
    expect(results.map((r) => [r.outcome, r.contentId, r.status, r.rolledBack, r.error?.errorCode])).toEqual([
      ["failed", "1", 400, undefined, 0x80044331],
      ["failed", "2", 400, undefined, 0x80044331],
      ["not-executed", undefined, 0, undefined, 0x80004004],
    ]);
  });

  it("matches a change-set answer by Content-ID, so answers left out by the server cannot shift failures", () => {
    const b = "batchresponse_b";
    const c = "changesetresponse_c";
    const body = crlf([
      `--${b}`,
      `Content-Type: multipart/mixed; boundary=${c}`,
      "",
      `--${c}`,
      "Content-Type: application/http",
      "Content-ID: 6",
      "",
      "HTTP/1.1 404 Not Found",
      "",
      '{"error":{"code":"0x80040217","message":"Entity \'contact\' With Id = x Does Not Exist"}}',
      `--${c}--`,
      `--${b}--`,
    ]);
    const layout: BatchLayoutPart[] = [
      { kind: "request" },
      { kind: "changeset", contentIds: ["1"] },
      { kind: "changeset", contentIds: ["5", "6"] },
      { kind: "request" },
    ];
    const results = decodeBatchResponse(layout, { status: 400, headers: multipart(b), body });
    expect(results.map((r) => [r.outcome, r.contentId])).toEqual([
      ["unknown", undefined],
      ["unknown", "1"],
      ["failed", "5"],
      ["failed", "6"],
      ["not-executed", undefined],
    ]);
    expect(results[0]?.error?.outcomeUnknown).toBe(true);
    expect(results[0]?.error?.retryable).toBe(true);
  });

  it("a success answer with a garbled JSON body: outcome unknown", () => {
    const b = "batchresponse_g";
    const body = crlf([
      `--${b}`,
      "Content-Type: application/http",
      "",
      "HTTP/1.1 200 OK",
      "Content-Type: application/json",
      "",
      '{"value":[{"name":',
      `--${b}--`,
    ]);
    const [result] = decodeBatchResponse([{ kind: "request" }], { status: 200, headers: multipart(b), body });
    expect(result?.outcome).toBe("unknown");
    expect(result?.error?.kind).toBe("unknown-outcome");
    expect(result?.error?.outcomeUnknown).toBe(true);
  });

  describe("unreadable answers: an unknown-outcome error for the batch, or every request unknown", () => {
    const cases: Array<[string, BatchHttpResponse]> = [
      [
        "truncated before the closing boundary",
        {
          status: 200,
          headers: multipart("batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a"),
          body: CHANGESET_OK.slice(0, 700),
        },
      ],
      [
        "truncated inside a change set",
        {
          status: 200,
          headers: multipart("batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a"),
          body: `${CHANGESET_OK.slice(0, 700)}\r\n--batchresponse_3cace264-86ea-40fe-83d3-954b336c0f4a--`,
        },
      ],
      [
        "truncated after a complete part",
        {
          status: 200,
          headers: multipart("batchresponse_t"),
          body: continued("batchresponse_t").replace("--batchresponse_t--\r\n", ""),
        },
      ],
      ["empty", { status: 200, headers: multipart("batchresponse_e"), body: "" }],
      [
        "without parts",
        { status: 200, headers: multipart("batchresponse_e"), body: "--batchresponse_e--\r\n" },
      ],
      [
        "a part that is not an HTTP response",
        {
          status: 200,
          headers: multipart("batchresponse_e"),
          body: crlf([
            "--batchresponse_e",
            "Content-Type: application/http",
            "",
            "<html>oops</html>",
            "--batchresponse_e--",
          ]),
        },
      ],
      [
        "garbage part headers",
        {
          status: 200,
          headers: multipart("batchresponse_e"),
          body: crlf([
            "--batchresponse_e",
            "this is not a header",
            "",
            "HTTP/1.1 204 No Content",
            "--batchresponse_e--",
          ]),
        },
      ],
      [
        "a 200 that is not multipart",
        { status: 200, headers: { "content-type": "application/json" }, body: "{}" },
      ],
      [
        "more answers than requests",
        {
          status: 200,
          headers: multipart("batchresponse_f44bd09d"),
          body: continued("batchresponse_f44bd09d"),
        },
      ],
    ];
    /** Answers read as a whole but pairing nothing: every request unknown, not thrown. */
    const perRequest = new Set([
      "without parts",
      "a part that is not an HTTP response",
      "more answers than requests",
    ]);
    for (const [what, response] of cases) {
      it(what, () => {
        const layout: BatchLayoutPart[] =
          what === "more answers than requests"
            ? [{ kind: "request" }]
            : what === "truncated after a complete part"
              ? THREE_SINGLES
              : CHANGESET_LAYOUT;
        if (perRequest.has(what)) {
          const results = decodeBatchResponse(layout, response);
          const count = layout.reduce((n, p) => n + (p.kind === "changeset" ? p.contentIds.length : 1), 0);
          expect(results.map((r) => [r.outcome, r.error?.kind, r.error?.outcomeUnknown])).toEqual(
            Array.from({ length: count }, () => ["unknown", "unknown-outcome", true]),
          );
          return;
        }
        const error = thrown(() => decodeBatchResponse(layout, response));
        expect(error.kind).toBe("unknown-outcome");
        expect(error.outcomeUnknown).toBe(true);
        expect(error.retryable).toBe(true);
        expect(error.errorCode).toBe(0x80040216);
        expect(error.status).toBe(response.status);
      });
    }
  });

  it("a non-multipart error answer rejects the whole batch with the server's error", () => {
    const error = thrown(() =>
      decodeBatchResponse(CHANGESET_LAYOUT, {
        status: 400,
        headers: { "content-type": "application/json; odata.metadata=minimal" },
        body: JSON.stringify({
          error: {
            code: "0x0",
            message:
              "The current change set contains too many operations. A maximum number of '1000' operations are allowed in a change set.",
          },
        }),
      }),
    );
    expect(error.kind).toBe("http");
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe(0);
    expect(error.retryable).toBe(false);
    expect(error.outcomeUnknown).toBe(false);
  });

  it("round-trips a 1000-request batch", () => {
    const parts: BatchPart[] = [];
    for (let i = 0; i < 100; i += 1) {
      parts.push({
        kind: "changeset",
        requests: Array.from({ length: 9 }, (_, j) => ({
          method: "POST" as const,
          url: "tasks",
          headers: {},
          body: { subject: `Task ${i}.${j}`, activityid: guid(i * 10 + j) },
        })),
      });
      parts.push({ kind: "request", request: { method: "GET", url: `tasks(${guid(i)})`, headers: {} } });
    }
    // Speed: `pnpm bench batch-codec` (encode and decode 1000); this checks the pairing only.
    const encoded = encodeBatch(parts, { serviceRoot: `${ORG}/`, newId: counter() });
    expect(encoded.requestCount).toBe(1000);
    const response = answerAll(encoded.body, encoded.boundary);
    const results = decodeBatchResponse(encoded, {
      status: 200,
      headers: multipart("batchresponse_all"),
      body: response,
    });
    expect(results).toHaveLength(1000);
    expect(results.filter((r) => r.outcome === "succeeded")).toHaveLength(1000);
    for (let i = 0; i < 100; i += 1) {
      for (let j = 0; j < 9; j += 1) {
        const r = results[i * 10 + j];
        expect(r?.contentId).toBe(String(i * 9 + j + 1));
        expect(r?.entityId).toBe(guid(i * 10 + j));
      }
      expect(results[i * 10 + 9]?.body).toEqual({ activityid: guid(i) });
    }
  });
});

function guid(n: number): string {
  return `00000000-0000-0000-0000-${n.toString(16).padStart(12, "0")}`;
}

function counter(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

/**
 * A minimal, independent server side for the round trip: reads each request line with regexes
 * (not with the transport's parser) and answers creates with 204 + OData-EntityId and GETs with 200.
 */
function answerAll(requestBody: string, boundary: string): string {
  const out: string[] = [];
  const topParts = requestBody.split(`--${boundary}`).slice(1, -1);
  for (const part of topParts) {
    const cs = /boundary=(changeset_\S+)/.exec(part)?.[1];
    if (cs === undefined) {
      const id = /GET \S+\/tasks\(([0-9a-f-]{36})\) HTTP\/1\.1/.exec(part)?.[1];
      out.push(
        "--batchresponse_all",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "HTTP/1.1 200 OK",
        "Content-Type: application/json; odata.metadata=minimal",
        "",
        JSON.stringify({ activityid: id }),
      );
      continue;
    }
    out.push("--batchresponse_all", "Content-Type: multipart/mixed; boundary=changesetresponse_cs", "");
    for (const inner of part.split(`--${cs}`).slice(1, -1)) {
      const contentId = /Content-ID: (\S+)/.exec(inner)?.[1];
      const id = /"activityid":"([0-9a-f-]{36})"/.exec(inner)?.[1];
      out.push(
        "--changesetresponse_cs",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        `Content-ID: ${contentId}`,
        "",
        "HTTP/1.1 204 No Content",
        `OData-EntityId: ${ORG}/tasks(${id})`,
        "",
      );
    }
    out.push("--changesetresponse_cs--");
  }
  out.push("--batchresponse_all--", "");
  return out.join("\r\n");
}
