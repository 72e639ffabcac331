import { checkJsonDepth } from "./limits.ts";
import { odataError } from "./wire.ts";

/** Parse a request's JSON body; malformed or empty JSON is a 400 (code 0x0), never a crash. */
export function parseJsonBody(body: string): unknown {
  if (body.trim().length === 0) throw odataError("The request body is empty; a JSON object was expected.");
  checkJsonDepth(body);
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    throw odataError(`Invalid JSON. ${(e as Error).message}`);
  }
}
