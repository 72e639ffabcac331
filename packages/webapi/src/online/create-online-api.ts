import type { Metadata } from "@xrm-offline/metadata";
import {
  normalizeDelete,
  normalizeRecordId,
  normalizeWrite,
  renderRequest,
  type WebApiRequest,
  XrmError,
  xrmError,
} from "@xrm-offline/odata";
import type { BatchPart, Transport } from "@xrm-offline/transport";
import type { OnlineApi, RetrieveMultipleResponse } from "../web-api-types.ts";
import { xrmPromise } from "../xrm-promise.ts";
import { entitySetOf } from "./entity-set-of.ts";
import { executeRequests } from "./execute-request.ts";
import { toExecuteResponse } from "./online-response.ts";

/** The plain async methods; createOnlineApi wraps each in an Xrm promise. */
interface OnlineMethods {
  createRecord(entityLogicalName: string, data: unknown): Promise<{ entityType: string; id: string }>;
  updateRecord(
    entityLogicalName: string,
    id: string,
    data: unknown,
  ): Promise<{ entityType: string; id: string }>;
  deleteRecord(entityLogicalName: string, id: string): Promise<{ entityType: string; id: string }>;
  retrieveRecord(entityLogicalName: string, id: string, options?: string): Promise<Record<string, unknown>>;
  retrieveMultipleRecords(
    entityLogicalName: string,
    options?: string,
    maxPageSize?: number,
  ): Promise<{ entities: Record<string, unknown>[]; nextLink?: string; fetchXmlPagingCookie?: string }>;
  execute(request: unknown): Promise<Response>;
  executeMultiple(requests: unknown[]): Promise<Response[]>;
}

// Xrm.WebApi asks for formatted values and lookup names on every read.
const ANNOTATIONS = 'odata.include-annotations="*"';

/**
 * `Xrm.WebApi.online`: straight to the server through the transport. Writes are validated by the
 * same translator as offline writes (deep insert allowed), so an online call that would be refused
 * by the server for a malformed `data` is refused before the network.
 */
export function createOnlineApi(deps: {
  metadata: Metadata;
  transport: () => Transport;
  isAvailableOffline: (entityLogicalName: string) => boolean;
}): OnlineApi {
  const m = onlineMethods(deps);
  return {
    createRecord: (e, data) => xrmPromise(() => m.createRecord(e, data)),
    updateRecord: (e, id, data) => xrmPromise(() => m.updateRecord(e, id, data)),
    deleteRecord: (e, id) => xrmPromise(() => m.deleteRecord(e, id)),
    retrieveRecord: <T>(e: string, id: string, options?: string) =>
      xrmPromise(() => m.retrieveRecord(e, id, options) as Promise<T>),
    retrieveMultipleRecords: <T>(e: string, options?: string, maxPageSize?: number) =>
      xrmPromise(
        () => m.retrieveMultipleRecords(e, options, maxPageSize) as Promise<RetrieveMultipleResponse<T>>,
      ),
    execute: (request) => xrmPromise(() => m.execute(request)),
    executeMultiple: (requests) => xrmPromise(() => m.executeMultiple(requests)),
    isAvailableOffline: (e) => deps.isAvailableOffline(e),
  };
}

function onlineMethods(deps: { metadata: Metadata; transport: () => Transport }): OnlineMethods {
  const { metadata } = deps;
  const send = (request: WebApiRequest) => deps.transport().send(request);

  return {
    async createRecord(entityLogicalName, data) {
      const op = normalizeWrite(metadata, { entityLogicalName, data, mode: "online" });
      const answer = await send(renderRequest(metadata, op));
      return { entityType: op.entityLogicalName, id: answer.entityId ?? op.id };
    },

    async updateRecord(entityLogicalName, id, data) {
      const op = normalizeWrite(metadata, { entityLogicalName, id, data, mode: "online", kind: "update" });
      await send(renderRequest(metadata, op));
      return { entityType: op.entityLogicalName, id: op.id };
    },

    async deleteRecord(entityLogicalName, id) {
      const op = normalizeDelete(metadata, { entityLogicalName, id });
      await send(renderRequest(metadata, op));
      return { entityType: op.entityLogicalName, id: op.id };
    },

    async retrieveRecord(entityLogicalName, id, options) {
      const set = entitySetOf(metadata, entityLogicalName);
      const guid = normalizeRecordId(id);
      if (!guid) throw xrmError("InvalidArgument", `${JSON.stringify(id)} is not a valid record GUID.`);
      const answer = await send({
        method: "GET",
        url: `${set}(${guid})${queryString(options)}`,
        headers: { Prefer: ANNOTATIONS },
      });
      return answer.body as Record<string, unknown>;
    },

    async retrieveMultipleRecords(entityLogicalName, options, maxPageSize) {
      const set = entitySetOf(metadata, entityLogicalName);
      if (maxPageSize !== undefined && !(Number.isInteger(maxPageSize) && maxPageSize > 0)) {
        throw xrmError(
          "InvalidArgument",
          `maxPageSize must be a positive integer, got ${String(maxPageSize)}.`,
        );
      }
      const prefer =
        maxPageSize === undefined ? ANNOTATIONS : `${ANNOTATIONS},odata.maxpagesize=${maxPageSize}`;
      const answer = await send({
        method: "GET",
        url: `${set}${queryString(options)}`,
        headers: { Prefer: prefer },
      });
      const body = (answer.body ?? {}) as Record<string, unknown>;
      const result: {
        entities: Record<string, unknown>[];
        nextLink?: string;
        fetchXmlPagingCookie?: string;
      } = {
        entities: Array.isArray(body.value) ? (body.value as Record<string, unknown>[]) : [],
      };
      if (typeof body["@odata.nextLink"] === "string") result.nextLink = body["@odata.nextLink"];
      const cookie = body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"];
      if (typeof cookie === "string") result.fetchXmlPagingCookie = cookie;
      return result;
    },

    async execute(request) {
      const requests = executeRequests(metadata, request);
      let last: Response | undefined;
      for (const r of requests) {
        const answer = await send(r);
        last = toExecuteResponse(`${deps.transport().serviceRoot}${r.url}`, answer);
      }
      return last!;
    },

    async executeMultiple(requests) {
      if (!Array.isArray(requests))
        throw xrmError("InvalidArgument", "executeMultiple needs an array of requests.");
      // A nested array is a change set (atomic); reads may not be inside one (executeMultiple.md).
      const parts: BatchPart[] = requests.flatMap((item): BatchPart[] => {
        if (Array.isArray(item)) {
          const inner = item.flatMap((r) => executeRequests(metadata, r));
          if (inner.some((r) => r.method === "GET")) {
            throw xrmError("InvalidArgument", "A change set cannot contain read operations.");
          }
          return [{ kind: "changeset", requests: inner }];
        }
        return executeRequests(metadata, item).map((request) => ({ kind: "request" as const, request }));
      });
      const results = await deps.transport().sendBatch(parts);
      const failed = results.find((r) => r.outcome !== "succeeded");
      if (failed) throw failed.error ?? xrmError("InvalidArgument", "A request of the batch failed.");
      return results.map((r) => toExecuteResponse(deps.transport().serviceRoot, r));
    },
  };
}

/**
 * Options as Xrm takes them: `?$select=…` (already encoded by the caller, as the docs ask) or
 * `?fetchXml=<fetch …>` (NOT encoded by the caller: encode it here).
 */
export function queryString(options: string | undefined): string {
  if (options === undefined || options === "") return "";
  if (typeof options !== "string") throw xrmError("InvalidArgument", "options must be a string.");
  const q = options.startsWith("?") ? options : `?${options}`;
  const fetch = /^\?fetchXml=(.*)$/s.exec(q);
  if (fetch && fetch[1]!.trimStart().startsWith("<")) return `?fetchXml=${encodeURIComponent(fetch[1]!)}`;
  if (/[\r\n]/.test(q)) throw new XrmError({ code: "0x0", message: "options must not contain line breaks." });
  return q;
}
