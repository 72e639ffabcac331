import { describe, expect, it } from "vitest";
import { catalogueEntry, ERRORS, xrmError } from "./error-catalogue.ts";
import { toErrorCode, toHexCode } from "./error-code.ts";
import { errorTypeFor } from "./error-type.ts";
import { XrmError } from "./xrm-error.ts";

describe("error catalogue", () => {
  it("has at least 30 entries, unique by code, with sane statuses", () => {
    const entries = Object.entries(ERRORS);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    const codes = entries.map(([, e]) => toErrorCode(e.code));
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, e] of entries) {
      expect(e.code, name).toMatch(/^0x[0-9a-f]{1,8}$/);
      expect([0, 400, 401, 403, 404, 405, 412, 413, 429, 500], name).toContain(e.httpStatus);
      expect(e.message.length, name).toBeGreaterThan(5);
      expect(catalogueEntry(e.code)?.name).toBe(name);
    }
  });

  it("positive decimal form, as Xrm.WebApi reports it (0x80040333 → 2147746611)", () => {
    expect(toErrorCode("0x80040333")).toBe(2147746611);
    expect(xrmError("DuplicateRecordsFound").errorCode).toBe(2147746611);
    expect(toErrorCode(-2147220969)).toBe(2147746327);
    expect(toHexCode(2147746327)).toBe("0x80040217");
    expect(catalogueEntry(-2147220969)?.name).toBe("ObjectDoesNotExist");
    expect(catalogueEntry("0x0")?.name).toBe("ODataParserError");
  });

  it("retryable only for throttling, transient server and transport codes", () => {
    const retryable = Object.entries(ERRORS)
      .filter(([, e]) => e.retryable)
      .map(([n]) => n)
      .sort();
    expect(retryable).toStrictEqual([
      "ConnectionFailed",
      "CouldNotObtainLockOnResource",
      "RequestAborted",
      "RequestTimeout",
      "ThrottlingConcurrency",
      "ThrottlingExecutionTime",
      "ThrottlingRequestCount",
      "UnexpectedError",
    ]);
  });

  it("xrmError keeps the catalogue's status and retryability, with an optional message", () => {
    const e = xrmError("ThrottlingRequestCount", "slow down");
    expect([e.errorCode, e.code, e.httpStatus, e.retryable, e.message]).toStrictEqual([
      2147951394,
      "0x80072322",
      429,
      true,
      "slow down",
    ]);
  });
});

describe("XrmError.from", () => {
  it("passes an XrmError through", () => {
    const e = xrmError("InvalidArgument");
    expect(XrmError.from(e)).toBe(e);
  });

  it("a server error body, as an object or JSON text", () => {
    const body = {
      error: {
        code: "0x80040217",
        message: "Entity 'account' With Id = 5b4ced1c-88e1-ee11-904c-6045bd05e9d4 Does Not Exist",
      },
    };
    for (const input of [body, JSON.stringify(body)]) {
      const e = XrmError.from(input);
      expect(e.toJSON()).toStrictEqual({
        errorCode: 2147746327,
        message: "Entity 'account' With Id = 5b4ced1c-88e1-ee11-904c-6045bd05e9d4 Does Not Exist",
        code: "0x80040217",
      });
      expect([e.httpStatus, e.retryable]).toStrictEqual([404, false]);
      expect(e.raw).toBe(input);
    }
  });

  it("a throttling body is retryable; the duplicate key body is not", () => {
    expect(XrmError.from({ error: { code: "0x80072322", message: "x" } }).retryable).toBe(true);
    const dup = XrmError.from(
      '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}',
    );
    expect([dup.errorCode, dup.httpStatus, dup.retryable]).toStrictEqual([2147746359, 412, false]);
  });

  it("the OData parser's 0x0", () => {
    const e = XrmError.from({ error: { code: "0x0", message: "An undeclared property 'x'…" } });
    expect([e.errorCode, e.code, e.httpStatus, e.retryable]).toStrictEqual([0, "0x00000000", 400, false]);
  });

  it("Response-like { status, body }: the real status wins; no code → inferred from the status", () => {
    const e = XrmError.from({ status: 503, body: '{"error":{"code":"0x80040216","message":"busy"}}' });
    expect([e.errorCode, e.httpStatus, e.retryable, e.message]).toStrictEqual([
      2147746326,
      503,
      true,
      "busy",
    ]);
    const e2 = XrmError.from({ status: 400, body: { error: { code: "0x80040216", message: "bad" } } });
    expect([e2.httpStatus, e2.retryable]).toStrictEqual([400, false]);
    const html = XrmError.from({ status: 502, statusText: "Bad Gateway", body: "<html>gateway</html>" });
    expect([html.errorCode, html.httpStatus, html.retryable, html.message]).toStrictEqual([
      2147746326,
      502,
      true,
      "<html>gateway</html>",
    ]);
    const throttled = XrmError.from({ status: 429, body: "" });
    expect([throttled.errorCode, throttled.retryable]).toStrictEqual([2147951394, true]);
    const gone = XrmError.from({ status: 404, body: "" });
    expect(gone.errorCode).toBe(2147746327);
    const teapot = XrmError.from({ status: 418, statusText: "I'm a teapot" });
    expect([teapot.errorCode, teapot.httpStatus, teapot.retryable, teapot.message]).toStrictEqual([
      2147746326,
      418,
      false,
      "I'm a teapot",
    ]);
  });

  it("a real fetch Response (body unread) gives a status-based error", () => {
    const e = XrmError.from(new Response("ignored", { status: 503, statusText: "Service Unavailable" }));
    expect([e.errorCode, e.httpStatus, e.retryable, e.message]).toStrictEqual([
      2147746326,
      503,
      true,
      "Service Unavailable",
    ]);
  });

  it("old empty codes: 412 with 'matching key' is a duplicate, other 412s a version mismatch", () => {
    expect(
      XrmError.from({
        status: 412,
        body: { error: { code: "", message: "A record with matching key values already exists." } },
      }).errorCode,
    ).toBe(2147746359);
    expect(XrmError.from({ status: 412, body: { error: { code: "", message: "version" } } }).errorCode).toBe(
      2147879042,
    );
  });

  it("codes outside the catalogue keep their code, retryable by status", () => {
    const e = XrmError.from({ status: 500, body: { error: { code: "0x80044150", message: "sql" } } });
    expect([e.code, e.httpStatus, e.retryable]).toStrictEqual(["0x80044150", 500, true]);
    const e2 = XrmError.from({ error: { code: "0x80048306", message: "x" } });
    expect([e2.code, e2.httpStatus, e2.retryable]).toStrictEqual(["0x80048306", 0, false]);
  });

  it("the ErrorDetails status annotation is used when no status is known", () => {
    const e = XrmError.from({
      error: {
        code: "0x80040216",
        message: "x",
        "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode": "503",
      },
    });
    expect([e.httpStatus, e.retryable]).toStrictEqual([503, true]);
  });

  it("Xrm's { errorCode, message } and { code, message }", () => {
    expect(XrmError.from({ errorCode: 2147746611, message: "dup" }).toJSON()).toStrictEqual({
      errorCode: 2147746611,
      message: "dup",
      code: "0x80040333",
    });
    expect(XrmError.from({ errorCode: -2147220969, message: "gone" }).errorCode).toBe(2147746327);
    expect(XrmError.from({ errorCode: "2147746327", message: "gone" }).errorCode).toBe(2147746327);
    expect(XrmError.from({ code: "0x80060882", message: "v" }).httpStatus).toBe(412);
  });

  it("network failures are retryable ConnectionFailed (0x80072efd)", () => {
    const undici = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5555"), { code: "ECONNREFUSED" }),
    });
    for (const err of [
      undici,
      new TypeError("Failed to fetch"),
      new TypeError("NetworkError when attempting to fetch resource."),
      new TypeError("Load failed"),
    ]) {
      const e = XrmError.from(err);
      expect([e.code, e.httpStatus, e.retryable]).toStrictEqual(["0x80072efd", 0, true]);
      expect(e.cause).toBe(err);
    }
  });

  it("timeouts and aborts are retryable", () => {
    const timeout = XrmError.from(
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
    );
    expect([timeout.code, timeout.retryable]).toStrictEqual(["0x80072ee2", true]);
    const abort = XrmError.from(new DOMException("This operation was aborted", "AbortError"));
    expect([abort.code, abort.retryable]).toStrictEqual(["0x80004004", true]);
    const etimedout = XrmError.from(
      Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_CONNECT_TIMEOUT" } }),
    );
    expect(etimedout.code).toBe("0x80072ee2");
  });

  it("anything else is a non-retryable UnexpectedError, never a throw", () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
        has() {
          throw new Error("trap");
        },
      },
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const input of [
      bug,
      new Error("x"),
      null,
      undefined,
      42,
      Symbol("s"),
      "plain text",
      "{not json",
      [],
      {},
      hostile,
      cyclic,
      10n,
    ]) {
      const e = XrmError.from(input);
      expect(e).toBeInstanceOf(XrmError);
      expect([e.code, e.retryable], String(typeof input)).toStrictEqual(["0x80040216", false]);
    }
    expect(XrmError.from(bug).message).toBe("Cannot read properties of undefined (reading 'x')");
    expect(XrmError.from("plain text").message).toBe("plain text");
  });

  it("long messages are capped", () => {
    const e = XrmError.from({ error: { code: "0x0", message: "x".repeat(100_000) } });
    expect(e.message.length).toBe(8193);
  });
});

describe("errorTypeFor (syncerror errortype)", () => {
  it.each<[string, unknown, 0 | 1 | 2 | 3]>([
    ["412 version mismatch → conflict", { error: { code: "0x80060882", message: "v" } }, 0],
    ["not found", { status: 404, body: { error: { code: "0x80040217", message: "gone" } } }, 1],
    ["not found by key", { error: { code: "0x80060891", message: "gone" } }, 1],
    ["duplicate key", { error: { code: "0x80040237", message: "dup" } }, 2],
    ["alternate key", { error: { code: "0x80060892", message: "dup" } }, 2],
    ["duplicate detection", { errorCode: 2147746611, message: "dup" }, 2],
    ["validation", { error: { code: "0x80044331", message: "too long" } }, 3],
    ["network", new TypeError("fetch failed"), 3],
    ["junk", undefined, 3],
  ])("%s", (_, input, type) => {
    expect(errorTypeFor(input)).toBe(type);
  });
});
