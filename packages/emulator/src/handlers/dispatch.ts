import { catalogueEntry, type XrmError } from "@xrm-offline/odata";
import { executeBatch } from "../batch/execute-batch.ts";
import { entityForSet, SERVICE_PATH, type ServerContext } from "../context.ts";
import { FILE_ACTIONS, fileAction } from "../files/file-actions.ts";
import { fileColumnOf } from "../files/file-columns.ts";
import { fileProperty } from "../files/file-property.ts";
import { callUnboundFunction } from "../functions/unbound-functions.ts";
import { checkQueryLimits } from "../http/limits.ts";
import { parsePrefer, wantsAnnotation } from "../http/prefer.ts";
import { parseRoute } from "../http/route.ts";
import { codeError, errorResponse, toXrmError, type WireRequest, type WireResponse } from "../http/wire.ts";
import { contentIdNotFound } from "../write/bind-target.ts";
import { entityDefinitions, metadataDocument, serviceDocument } from "./metadata-documents.ts";
import { readCollection } from "./read-collection.ts";
import { readEntity, readProperty } from "./read-entity.ts";
import { countRelated, isNavigation, readRelated } from "./read-related.ts";
import { createEntity, deleteEntity, updateEntity } from "./write-entity.ts";
import { writeProperty } from "./write-property.ts";
import { writeRef } from "./write-ref.ts";

function methodNotAllowed(method: string): never {
  throw codeError("0x80060888", 405, `The HTTP method '${method}' is not allowed for this resource.`);
}

/** `$1/…` inside a change set → the path of the entity that Content-ID 1 created. */
function resolveContentIdPath(req: WireRequest): string {
  const m = /^\/?\$([A-Za-z0-9_.-]+)(\/.*)?$/.exec(req.path);
  if (!m || m[1] === "metadata" || m[1] === "batch") return req.path;
  const url = req.contentIds?.get(m[1]!);
  if (url === undefined) contentIdNotFound(`$${m[1]}`);
  const i = url.indexOf(`${SERVICE_PATH}/`);
  return `${i < 0 ? url : url.slice(i + SERVICE_PATH.length + 1)}${m[2] ?? ""}`;
}

function route(ctx: ServerContext, req: WireRequest): WireResponse {
  const r = parseRoute(resolveContentIdPath(req));
  const m = req.method;
  switch (r.kind) {
    case "service-document":
      if (m !== "GET") methodNotAllowed(m);
      return serviceDocument(ctx);
    case "metadata":
      if (m !== "GET") methodNotAllowed(m);
      return metadataDocument(ctx);
    case "batch":
      if (m !== "POST") methodNotAllowed(m);
      return executeBatch(ctx, req, (inner) => dispatch(ctx, inner));
    case "function":
      return callUnboundFunction(ctx, req, r.name, r.args);
    case "entity-definitions":
      if (m !== "GET") methodNotAllowed(m);
      return entityDefinitions(ctx, req, r.key, r.rest);
    case "collection": {
      if (FILE_ACTIONS.has(r.set)) return fileAction(ctx, req, r.set);
      const entity = entityForSet(ctx, r.set);
      if (m === "GET") return readCollection(ctx, req, entity, r.set);
      if (m === "POST") return createEntity(ctx, req, entity, r.set);
      return methodNotAllowed(m);
    }
    case "count": {
      const entity = entityForSet(ctx, r.set);
      if (m !== "GET") methodNotAllowed(m);
      return {
        status: 200,
        headers: { "Content-Type": "text/plain", "OData-Version": "4.0" },
        body: String(ctx.store.count(entity.logicalName)),
      };
    }
    case "entity": {
      const entity = entityForSet(ctx, r.set);
      if (m === "GET") return readEntity(ctx, req, entity, r.set, r.key);
      if (m === "PATCH") return updateEntity(ctx, req, entity, r.set, r.key);
      if (m === "DELETE") return deleteEntity(ctx, req, entity, r.key);
      return methodNotAllowed(m);
    }
    case "property": {
      const entity = entityForSet(ctx, r.set);
      const file = fileColumnOf(entity, r.property, ctx.fileColumns);
      if (file) return fileProperty(ctx, req, entity, r.set, r.key, file);
      if (m === "GET" && isNavigation(entity, r.property) && !req.path.endsWith("/$value"))
        return readRelated(ctx, req, entity, r.set, r.key, r.property);
      if (m === "GET") return readProperty(ctx, req, entity, r.set, r.key, r.property);
      if (m === "PUT" || m === "DELETE") return writeProperty(ctx, req, entity, r.key, r.property);
      return methodNotAllowed(m);
    }
    case "related-count": {
      const entity = entityForSet(ctx, r.set);
      if (m !== "GET") methodNotAllowed(m);
      return countRelated(ctx, entity, r.key, r.nav);
    }
    case "ref": {
      const entity = entityForSet(ctx, r.set);
      return writeRef(ctx, req, entity, r.key, r.nav, r.refKey);
    }
  }
}

const DETAILS = "Microsoft.PowerApps.CDS.ErrorDetails";

/**
 * With `Prefer: odata.include-annotations` (`*` or `Microsoft.PowerApps.CDS.ErrorDetails*`) the
 * error object carries the exception name, the HTTP status and a help link, as the service adds.
 */
function withErrorDetails(req: WireRequest, response: WireResponse, e: XrmError): WireResponse {
  const prefs = parsePrefer(req.headers.get("prefer"));
  if (!wantsAnnotation(prefs, `${DETAILS}.ApiExceptionMessageName`) || response.body === undefined)
    return response;
  const body = JSON.parse(response.body) as { error: Record<string, unknown> };
  const name = catalogueEntry(e.code)?.name;
  if (name && e.errorCode !== 0) body.error[`@${DETAILS}.ApiExceptionMessageName`] = name;
  body.error[`@${DETAILS}.ApiExceptionHttpStatusCode`] = String(response.status);
  if (e.errorCode !== 0) {
    body.error["@Microsoft.PowerApps.CDS.HelpLink"] =
      `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${e.code.slice(2)}&client=platform`;
  }
  return { ...response, body: JSON.stringify(body) };
}

/** Answer one Web API request. Never throws: every failure becomes a Web API error response. */
export function dispatch(ctx: ServerContext, req: WireRequest): WireResponse {
  try {
    checkQueryLimits(req.query);
    return route(ctx, req);
  } catch (e) {
    const error = toXrmError(e);
    return withErrorDetails(req, errorResponse(error), error);
  }
}
