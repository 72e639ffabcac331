import { ERRORS, toErrorCode, type WriteOperation } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import type { RemoteError, RemoteResult } from "../ports.ts";
import { createOp, deleteOp, guid, lookup, updateOp } from "../testing/operations.ts";
import { classifyAnswer, failureType, isTransient, serverHasValues } from "./classify-answer.ts";
import type { PlannedWrite } from "./round-planner.ts";

const A = guid(1);

function planned(operation: WriteOperation, outcomeUnknown = false): PlannedWrite {
  return {
    entries: [{ seq: 1, operation, state: "pending", attempts: outcomeUnknown ? 1 : 0, outcomeUnknown }],
    operation,
    outcomeUnknown,
    baseEtag: null,
    solo: false,
  };
}

function err(status: number, name: keyof typeof ERRORS, extra: Partial<RemoteError> = {}): RemoteResult {
  return {
    ok: false,
    error: {
      status,
      errorCode: toErrorCode(ERRORS[name].code),
      message: ERRORS[name].message,
      retryable: ERRORS[name].retryable,
      outcomeUnknown: false,
      ...extra,
    },
  };
}

describe("classifyAnswer", () => {
  it("acknowledges a success and keeps the new ETag", () => {
    expect(
      classifyAnswer(planned(createOp("account", A)), { ok: true, status: 204, etag: 'W/"5"' }, false),
    ).toEqual({
      kind: "acknowledged",
      etag: 'W/"5"',
    });
  });

  it("reads a duplicate key on a create as success only after an unknown outcome", () => {
    const dup = err(412, "DuplicateRecord");
    expect(classifyAnswer(planned(createOp("account", A), true), dup, false)).toEqual({
      kind: "acknowledged",
    });
    const first = classifyAnswer(planned(createOp("account", A), false), dup, false);
    expect(first).toMatchObject({ kind: "failed", errorType: 2 });
  });

  it("reads a 404 on a delete as success only after an unknown outcome", () => {
    const gone = err(404, "ObjectDoesNotExist");
    expect(classifyAnswer(planned(deleteOp("account", A), true), gone, false)).toEqual({
      kind: "acknowledged",
    });
    expect(classifyAnswer(planned(deleteOp("account", A), false), gone, false)).toMatchObject({
      kind: "failed",
      errorType: 1,
    });
  });

  it("keeps a 404 on an update (If-Match: *) as 'record not found', even after an unknown outcome", () => {
    const v = classifyAnswer(
      planned(updateOp("account", A, { name: "x" }), true),
      err(404, "ObjectDoesNotExist"),
      false,
    );
    expect(v).toMatchObject({ kind: "failed", errorType: 1 });
  });

  it("sends a 412 to an update carrying its ETag to the conflict check", () => {
    const v = classifyAnswer(
      planned(updateOp("account", A, { name: "x" })),
      err(412, "ConcurrencyVersionMismatch"),
      true,
    );
    expect(v.kind).toBe("check-conflict");
  });

  it("retries network errors, 401, 408, 429 and 5xx; fails other 4xx", () => {
    const op = planned(createOp("account", A));
    for (const status of [0, 401, 408, 429, 500, 502, 503, 504]) {
      const v = classifyAnswer(op, err(status, "UnexpectedError", { retryable: true }), false);
      expect([status, v.kind]).toEqual([status, "retry"]);
    }
    for (const status of [400, 403, 405, 413]) {
      const v = classifyAnswer(op, err(status, "InvalidArgument"), false);
      expect([status, v.kind]).toEqual([status, "failed"]);
    }
    // A request the remote could not even build is not retried forever.
    expect(classifyAnswer(op, err(0, "InvalidArgument", { retryable: false }), false).kind).toBe("failed");
  });

  it("maps errors to syncerror error types", () => {
    const e = (status: number, name: keyof typeof ERRORS): RemoteError => {
      const r = err(status, name);
      if (r.ok) throw new Error("unreachable");
      return r.error;
    };
    expect(failureType(e(412, "ConcurrencyVersionMismatch"))).toBe(0);
    expect(failureType(e(404, "ObjectDoesNotExist"))).toBe(1);
    expect(failureType(e(412, "DuplicateRecord"))).toBe(2);
    expect(failureType(e(400, "InvalidArgument"))).toBe(3);
    expect(failureType({ ...e(404, "UnexpectedError") })).toBe(1);
    expect(isTransient({ ...e(400, "InvalidArgument") })).toBe(false);
  });
});

describe("serverHasValues", () => {
  it("compares columns as the Web API returns them and lookups by _x_value", () => {
    const record = {
      name: "n",
      revenue: 1.5,
      when: "2024-05-01T10:00:00Z",
      _primarycontactid_value: A.toUpperCase(),
      _parentaccountid_value: null,
    };
    const lookups = [lookup("primarycontactid", "contact", A), lookup("parentaccountid", "account", null)];
    expect(
      serverHasValues(record, { name: "n", revenue: 1.5, when: "2024-05-01T10:00:00.000Z" }, lookups),
    ).toBe(true);
    expect(serverHasValues(record, { name: "m" }, [])).toBe(false);
    expect(serverHasValues(record, { missing: null }, [])).toBe(false);
    expect(serverHasValues(record, { revenue: "1.5" }, [])).toBe(true);
    expect(serverHasValues(record, { revenue: "" }, [])).toBe(false);
    expect(serverHasValues(record, {}, [lookup("primarycontactid", "contact", guid(9))])).toBe(false);
    expect(serverHasValues(record, {}, [lookup("parentaccountid", "account", A)])).toBe(false);
  });
});
