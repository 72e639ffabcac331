import { type Transport, TransportError } from "@xrm-offline/transport";

/** What a Dataverse service document looks like: `{ "@odata.context": "…/$metadata", "value": [...] }`. */
function isServiceDocument(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const doc = body as Record<string, unknown>;
  return typeof doc["@odata.context"] === "string" && Array.isArray(doc.value);
}

/** An `OData-Version` header, when the answer shows one (CORS may hide it), must be 4.x. */
function odataVersionFits(headers: Readonly<Record<string, string>> | undefined): boolean {
  const version = headers?.["odata-version"];
  return version === undefined || /^\s*4\.\d+\s*$/.test(version);
}

/**
 * A reachability probe for `createConnectivity`: GET the service document. Reachable means a real
 * Dataverse answer, not any answer: the service document itself (`200`, JSON, `@odata.context` and
 * a `value` array, OData-Version 4.x when shown), a `401` challenging for a bearer token (the
 * server is there; the token is the problem), or an error in the Web API's JSON error shape (a
 * throttled or unavailable service answers, and the engine deals with that). A captive portal or
 * a proxy answering `200 text/html` (or anything else) to every request is not the server: the
 * device stays offline and nothing is sent into it.
 */
export function createServerProbe(transport: Transport): (signal: AbortSignal) => Promise<boolean> {
  return async (signal) => {
    try {
      const response = await transport.send({ method: "GET", url: "./", headers: {} }, { signal });
      return (
        response.status === 200 && isServiceDocument(response.body) && odataVersionFits(response.headers)
      );
    } catch (error) {
      if (!(error instanceof TransportError) || error.kind !== "http") return false;
      const headers = error.headers ?? {};
      if (error.status === 401) return /\bbearer\b/i.test(headers["www-authenticate"] ?? "");
      const raw = error.raw as { error?: { code?: unknown } } | undefined;
      return (
        /[/+]json\b/i.test(headers["content-type"] ?? "") &&
        typeof raw?.error?.code === "string" &&
        odataVersionFits(headers)
      );
    }
  };
}
