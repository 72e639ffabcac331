import { describe, expect, it } from "vitest";
import { errorFromResponse } from "./error-from-response.ts";

describe("errorFromResponse", () => {
  it("keeps a Dataverse error's code and message, with annotations in raw", () => {
    const body = {
      error: {
        code: "0x80040220",
        message: "Principal user is missing prvReadaccount privilege.",
        "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode": "403",
      },
    };
    const error = errorFromResponse({
      status: 403,
      statusText: "Forbidden",
      headers: { "content-type": "application/json; odata.metadata=minimal" },
      text: JSON.stringify(body),
    });
    expect(error.errorCode).toBe(0x80040220);
    expect(error.code).toBe("0x80040220");
    expect(error.message).toBe("Principal user is missing prvReadaccount privilege.");
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.raw).toEqual(body);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("takes a numeric code and falls back to Message for non-Dataverse JSON", () => {
    const numeric = errorFromResponse({
      status: 404,
      headers: {},
      text: '{"error":{"code":-2147220969,"message":"Not there"}}',
    });
    expect(numeric.code).toBe("0x80040217");
    const gateway = errorFromResponse({ status: 503, headers: {}, text: '{"Message":"Service is down"}' });
    expect(gateway.message).toBe("Service is down");
    expect(gateway.code).toBe("0x80040216");
    expect(gateway.retryable).toBe(true);
  });

  it("describes bodies it cannot use, without ever throwing", () => {
    expect(errorFromResponse({ status: 500, headers: {}, text: "[1,2]" }).message).toBe(
      "HTTP 500: the error body has no Dataverse error message.",
    );
    expect(errorFromResponse({ status: 500, headers: {}, text: '{"error":"x"}' }).message).toBe(
      "HTTP 500: the error body has no Dataverse error message.",
    );
    expect(
      errorFromResponse({
        status: 500,
        statusText: "Internal Server Error",
        headers: { "content-type": "text/plain" },
        text: "boom",
      }).message,
    ).toBe("HTTP 500 Internal Server Error: the server returned a non-JSON error body (text/plain).");
    const huge = errorFromResponse({ status: 502, headers: {}, text: `<html>${"x".repeat(100_000)}` });
    expect(String(huge.raw)).toHaveLength(4096);
  });

  it("applies redaction before reading the body", () => {
    const error = errorFromResponse({
      status: 401,
      headers: {},
      text: '{"error":{"code":"0x80044300","message":"bad token eyJhbGciOi.abc"}}',
      redact: (t) => t.split("eyJhbGciOi.abc").join("[redacted]"),
    });
    expect(error.message).toBe("bad token [redacted]");
    expect(JSON.stringify(error.raw)).not.toContain("eyJ");
  });

  it("calls an answer retryable by odata's one rule (408, 429, 5xx)", () => {
    const retryable = (status: number) => errorFromResponse({ status, headers: {}, text: "" }).retryable;
    expect([400, 401, 403, 404, 405, 409, 412, 413].map(retryable)).toEqual(Array(8).fill(false));
    expect([408, 429, 500, 501, 502, 503, 504, 599].map(retryable)).toEqual(Array(8).fill(true));
  });
});
