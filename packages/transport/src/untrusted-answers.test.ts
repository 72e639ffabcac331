/**
 * Answers that cannot be trusted (issue 14): unreadable 2xx bodies, `$batch` answers with parts
 * missing, reordered or garbled, and answers naming another record. Each is "outcome unknown" —
 * retryable, `outcomeUnknown` — never a permanent refusal and never a success.
 */
import { describe, expect, it } from "vitest";
import type { BatchPart } from "./batch-types.ts";
import { createTransport } from "./create-transport.ts";
import { decodeBatchResponse } from "./decode-batch-response.ts";
import { encodeBatch } from "./encode-batch.ts";
import { TransportError } from "./transport-error.ts";

const ROOT = "https://org.example.com/api/data/v9.2/";
const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const C = "cccccccc-0000-4000-8000-000000000003";

const create = (id: string): BatchPart => ({
  kind: "request",
  request: { method: "POST", url: "accounts", headers: {}, body: { accountid: id, name: id } },
  expect: { id, idAttribute: "accountid", named: true },
});
const update = (id: string): BatchPart => ({
  kind: "request",
  request: { method: "PATCH", url: `accounts(${id})`, headers: { "If-Match": "*" }, body: { name: "x" } },
  expect: { id, idAttribute: "accountid" },
});

interface PartAnswer {
  readonly contentId?: string;
  readonly status: string;
  readonly headers?: readonly string[];
  readonly body?: string;
}

const created = (contentId: string | undefined, id: string): PartAnswer => ({
  ...(contentId === undefined ? {} : { contentId }),
  status: "204 No Content",
  headers: [`Location: ${ROOT}accounts(${id})`, `OData-EntityId: ${ROOT}accounts(${id})`],
});
const duplicate = (contentId: string | undefined): PartAnswer => ({
  ...(contentId === undefined ? {} : { contentId }),
  status: "412 Precondition Failed",
  headers: ["Content-Type: application/json; odata.metadata=minimal"],
  body: '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}',
});

function batchAnswer(parts: readonly PartAnswer[]): string {
  const lines: string[] = [];
  for (const p of parts) {
    lines.push("--batchresponse_r", "Content-Type: application/http", "Content-Transfer-Encoding: binary");
    if (p.contentId !== undefined) lines.push(`Content-ID: ${p.contentId}`);
    lines.push("", `HTTP/1.1 ${p.status}`, "OData-Version: 4.0", ...(p.headers ?? []), "", p.body ?? "");
  }
  lines.push("--batchresponse_r--", "");
  return lines.join("\r\n");
}

function decode(parts: readonly BatchPart[], answers: readonly PartAnswer[], continueOnError = true) {
  const encoded = encodeBatch(parts, { serviceRoot: ROOT });
  return decodeBatchResponse(
    encoded,
    {
      status: 200,
      headers: { "content-type": "multipart/mixed; boundary=batchresponse_r" },
      body: batchAnswer(answers),
    },
    { continueOnError },
  );
}

const summary = (results: ReturnType<typeof decode>) =>
  results.map((r) => [r.outcome, r.entityId ?? r.error?.errorCode ?? null]);

describe("$batch answers paired by Content-ID", () => {
  it("every request carries a Content-ID, and reordered answers go to their own requests", () => {
    const parts = [create(A), create(B), create(C)];
    expect(
      encodeBatch(parts, { serviceRoot: ROOT }).layout.map((p) => p.kind === "request" && p.contentId),
    ).toEqual(["1", "2", "3"]);
    // B's create collided: with answers paired by position, A would take B's 412 and B A's success.
    const results = decode(parts, [created("3", C), duplicate("2"), created("1", A)]);
    expect(summary(results)).toEqual([
      ["succeeded", A],
      ["failed", 0x80040237],
      ["succeeded", C],
    ]);
  });

  it("a part missing from a continue-on-error answer is unknown, never 'not executed'", () => {
    const results = decode([create(A), create(B), create(C)], [created("1", A), created("3", C)]);
    expect(results.map((r) => [r.outcome, r.error?.kind, r.error?.outcomeUnknown])).toEqual([
      ["succeeded", undefined, undefined],
      ["unknown", "unknown-outcome", true],
      ["succeeded", undefined, undefined],
    ]);
    const trailing = decode([create(A), create(B)], [created("1", A)]);
    expect(trailing.map((r) => r.outcome)).toEqual(["succeeded", "unknown"]);
  });

  it("without continue-on-error, what follows a failure was not executed; what follows a success is unknown", () => {
    expect(decode([create(A), create(B)], [duplicate("1")], false).map((r) => r.outcome)).toEqual([
      "failed",
      "not-executed",
    ]);
    expect(decode([create(A), create(B)], [created("1", A)], false).map((r) => r.outcome)).toEqual([
      "succeeded",
      "unknown",
    ]);
  });

  it("a part whose status line is garbled is unknown alone", () => {
    const results = decode(
      [create(A), create(B), create(C)],
      [created("1", A), { ...created("2", B), status: "2O4 No Content" }, created("3", C)],
    );
    expect(results.map((r) => [r.outcome, r.error?.kind])).toEqual([
      ["succeeded", undefined],
      ["unknown", "unknown-outcome"],
      ["succeeded", undefined],
    ]);
  });

  it("an unknown or repeated Content-ID, or a success naming another record, makes every part unknown", () => {
    const foreign = decode([create(A), create(B)], [created("1", A), created("9", B)]);
    expect(foreign.map((r) => r.outcome)).toEqual(["unknown", "unknown"]);
    const twice = decode([create(A), create(B)], [created("1", A), created("1", A)]);
    expect(twice.map((r) => r.outcome)).toEqual(["unknown", "unknown"]);
    // A server that echoes no Content-ID: answers by position, checked against the entity ids.
    const swapped = decode([create(A), create(B)], [created(undefined, B), created(undefined, A)]);
    expect(swapped.map((r) => [r.outcome, r.error?.outcomeUnknown])).toEqual([
      ["unknown", true],
      ["unknown", true],
    ]);
    const inOrder = decode([create(A), create(B)], [created(undefined, A), created(undefined, B)]);
    expect(summary(inOrder)).toEqual([
      ["succeeded", A],
      ["succeeded", B],
    ]);
  });

  it("a part answering 200 with an HTML page or a non-OData JSON body is unknown", () => {
    const results = decode(
      [create(A), update(B)],
      [
        {
          contentId: "1",
          status: "200 OK",
          headers: ["Content-Type: text/html"],
          body: "<html>login</html>",
        },
        {
          contentId: "2",
          status: "200 OK",
          headers: ["Content-Type: application/json"],
          body: '{"ok":true}',
        },
      ],
    );
    expect(results.map((r) => [r.outcome, r.error?.kind])).toEqual([
      ["unknown", "unknown-outcome"],
      ["unknown", "unknown-outcome"],
    ]);
  });

  it("a 2xx $batch answer that is not multipart (portal page, JSON, empty) throws unknown-outcome", async () => {
    for (const [type, body] of [
      ["text/html; charset=utf-8", "<!DOCTYPE html><html></html>"],
      ["application/json", '{"value":[]}'],
      [undefined, ""],
    ] as const) {
      const transport = createTransport({
        serverUrl: ROOT,
        fetch: async () => new Response(body, { status: 200, headers: type ? { "Content-Type": type } : {} }),
      });
      const error = await transport
        .sendBatch([create(A)], { continueOnError: true })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect([(error as TransportError).kind, (error as TransportError).outcomeUnknown]).toEqual([
        "unknown-outcome",
        true,
      ]);
    }
  });
});

describe("single writes: answers that are not the Web API's", () => {
  const answer = async (
    request: Parameters<ReturnType<typeof createTransport>["send"]>[0],
    expect_: { id: string; idAttribute?: string; named?: boolean } | undefined,
    status: number,
    headers: Record<string, string>,
    body: string | null,
  ) => {
    const transport = createTransport({
      serverUrl: ROOT,
      fetch: async () => new Response(body, { status, headers }),
    });
    try {
      const r = await transport.send(request, expect_ === undefined ? {} : { expect: expect_ });
      return ["ok", r.status, r.entityId ?? null];
    } catch (error) {
      const e = error as TransportError;
      return [e.kind, e.status, e.outcomeUnknown, e.retryable];
    }
  };
  const post = { method: "POST" as const, url: "accounts", headers: {}, body: { accountid: A } };
  const patch = { method: "PATCH" as const, url: `accounts(${A})`, headers: {}, body: { name: "n" } };
  const want = { id: A, idAttribute: "accountid", named: true };

  it("takes the Web API's own answers", async () => {
    expect(await answer(post, want, 204, { "OData-EntityId": `${ROOT}accounts(${A})` }, null)).toEqual([
      "ok",
      204,
      A,
    ]);
    const representation = JSON.stringify({
      "@odata.context": `${ROOT}$metadata#accounts/$entity`,
      accountid: A,
    });
    expect(await answer(post, want, 201, { "Content-Type": "application/json" }, representation)).toEqual([
      "ok",
      201,
      null,
    ]);
    expect(await answer(patch, { id: A }, 204, {}, null)).toEqual(["ok", 204, null]);
  });

  it("calls a captive portal's page, an empty 200, foreign JSON, a cut body or another record's id unknown", async () => {
    const unknown = (status: number) => ["unknown-outcome", status, true, true];
    expect(await answer(post, want, 200, { "Content-Type": "text/html" }, "<html>Sign in</html>")).toEqual(
      unknown(200),
    );
    expect(await answer(post, want, 200, {}, "")).toEqual(unknown(200));
    expect(await answer(patch, { id: A }, 200, { "Content-Type": "application/json" }, '{"ok":1}')).toEqual(
      unknown(200),
    );
    expect(await answer(post, want, 201, { "Content-Type": "application/json" }, '{"@odata.cont')).toEqual(
      unknown(201),
    );
    expect(await answer(post, want, 204, { "OData-EntityId": `${ROOT}accounts(${B})` }, null)).toEqual(
      unknown(204),
    );
    // A create must name its record: a bare 204 is not Dataverse's answer to a create.
    expect(await answer(post, want, 204, {}, null)).toEqual(unknown(204));
    // A GET answered with a portal page is unknown too (nothing to apply, but nothing to trust).
    expect(
      await answer(
        { method: "GET", url: "./", headers: {} },
        undefined,
        200,
        { "Content-Type": "text/html" },
        "<html>",
      ),
    ).toEqual(unknown(200));
  });
});
