import type { ServerContext } from "../context.ts";
import { codeError, jsonResponse, queryError, type WireRequest, type WireResponse } from "../http/wire.ts";
import { writeRow } from "../write/apply-write.ts";
import { EMULATOR_CALLER } from "./caller.ts";

/** The Dataverse version the emulator reports (RetrieveVersion): the Web API version it speaks. */
export const EMULATOR_VERSION = "9.2.0.0";

/** The unbound functions the emulator answers (`GET /WhoAmI`, `GET /RetrieveVersion()`, …). */
export const UNBOUND_FUNCTIONS: ReadonlySet<string> = new Set([
  "WhoAmI",
  "RetrieveVersion",
  "RetrieveTotalRecordCount",
]);

/**
 * The caller's businessunit and systemuser rows, created on first use so that a script that calls
 * WhoAmI and then retrieves `systemusers(<UserId>)` finds them (when those tables are served).
 */
function ensureCallerRows(ctx: ServerContext): void {
  const bu = ctx.schema.metadata.entity("businessunit");
  const user = ctx.schema.metadata.entity("systemuser");
  ctx.store.transaction(() => {
    if (bu && !ctx.store.has(bu.logicalName, EMULATOR_CALLER.businessUnitId)) {
      const data: Record<string, unknown> = { [bu.primaryIdAttribute]: EMULATOR_CALLER.businessUnitId };
      if (bu.attribute("name")) data.name = EMULATOR_CALLER.businessUnitName;
      writeRow(ctx, bu, EMULATOR_CALLER.businessUnitId, data, {}, "insert");
    }
    if (user && !ctx.store.has(user.logicalName, EMULATOR_CALLER.userId)) {
      const data: Record<string, unknown> = { [user.primaryIdAttribute]: EMULATOR_CALLER.userId };
      if (user.attribute("systemuserid")) data.systemuserid = EMULATOR_CALLER.userId;
      for (const [k, v] of [
        ["firstname", "Emulator"],
        ["lastname", "User"],
        ["fullname", EMULATOR_CALLER.fullName],
      ] as const) {
        if (user.attribute(k)) data[k] = v;
      }
      const lookups: Record<string, string> = {};
      if (bu && user.attribute("_businessunitid_value")) {
        data._businessunitid_value = EMULATOR_CALLER.businessUnitId;
        lookups._businessunitid_value = bu.logicalName;
      }
      writeRow(ctx, user, EMULATOR_CALLER.userId, data, lookups, "insert");
    }
  });
}

/** `['account','contact']` (a parameter alias value or inline) → table names. */
function entityNames(text: string | undefined | null): string[] {
  const t = (text ?? "").trim();
  if (!t.startsWith("[") || !t.endsWith("]"))
    throw queryError("RetrieveTotalRecordCount needs EntityNames, a list such as ['account','contact'].");
  return t
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = /^'([^']*)'$|^"([^"]*)"$/.exec(s);
      if (!m) throw queryError(`Bad table name '${s}' in EntityNames.`);
      return m[1] ?? m[2]!;
    });
}

/** Named parameters of `Name(A=@p1,B=1)`, with aliases resolved from the query string. */
function functionArgs(argText: string, query: URLSearchParams): Map<string, string> {
  const args = new Map<string, string>();
  if (argText.trim() === "") return args;
  for (const part of argText.split(/,(?=\s*[A-Za-z_]\w*\s*=)/)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw queryError(`Bad function parameter '${part}'.`);
    const raw = part.slice(eq + 1).trim();
    const value = raw.startsWith("@") ? query.get(raw) : raw;
    if (value === null) throw queryError(`The parameter alias '${raw}' has no value in the query string.`);
    args.set(part.slice(0, eq).trim(), value);
  }
  return args;
}

/** Answer an unbound function call. */
export function callUnboundFunction(
  ctx: ServerContext,
  req: WireRequest,
  name: string,
  argText: string,
): WireResponse {
  if (req.method !== "GET")
    throw codeError("0x80060888", 405, `The HTTP method '${req.method}' is not allowed for this resource.`);
  const context = `${ctx.root()}/$metadata#Microsoft.Dynamics.CRM.${name}Response`;
  const args = functionArgs(argText, req.query);
  switch (name) {
    case "WhoAmI":
      ensureCallerRows(ctx);
      return jsonResponse(200, {
        "@odata.context": context,
        BusinessUnitId: EMULATOR_CALLER.businessUnitId,
        UserId: EMULATOR_CALLER.userId,
        OrganizationId: EMULATOR_CALLER.organizationId,
      });
    case "RetrieveVersion":
      return jsonResponse(200, { "@odata.context": context, Version: EMULATOR_VERSION });
    case "RetrieveTotalRecordCount": {
      const names = entityNames(args.get("EntityNames"));
      const values = names.map((n) => {
        const entity = ctx.schema.metadata.entity(n);
        if (!entity) throw codeError("0x80040217", 404, `Could not find an entity with name '${n}'.`);
        return ctx.store.count(entity.logicalName);
      });
      return jsonResponse(200, {
        "@odata.context": context,
        EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: values },
      });
    }
    default:
      throw queryError(`Unknown function '${name}'.`);
  }
}
