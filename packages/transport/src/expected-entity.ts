import { entityIdFrom } from "./web-api-response.ts";

/**
 * The record a request writes, so that its answer can be checked against it: Dataverse names the
 * record it created in `OData-EntityId` and `Location` (and, with `return=representation`, in the
 * body's primary key column).
 */
export interface ExpectedEntity {
  /** The record's GUID (any case). */
  readonly id: string;
  /** Its primary key column (`accountid`), to find the id in a returned representation. */
  readonly idAttribute?: string;
  /** The answer must name the record (a create: Dataverse always does). */
  readonly named?: boolean;
}

/** What a successful answer says about the record it is the answer for. */
export interface AnswerIdentity {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * Why a success answer is not the answer for `expected` (another record's id, or none where one is
 * due), or undefined when it fits. Pure.
 */
export function entityMismatch(
  answer: AnswerIdentity,
  expected: ExpectedEntity | undefined,
): string | undefined {
  if (expected === undefined) return undefined;
  const want = expected.id.toLowerCase();
  const named: string[] = [];
  for (const header of ["odata-entityid", "location"]) {
    const value = answer.headers[header];
    if (value === undefined) continue;
    const id = entityIdFrom(value);
    if (id === undefined) return `its ${header} header names no record`;
    named.push(id);
  }
  const body = answer.body;
  if (
    expected.idAttribute !== undefined &&
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body)
  ) {
    const value = (body as Record<string, unknown>)[expected.idAttribute];
    if (typeof value === "string") named.push(value.toLowerCase());
  }
  const other = named.find((id) => id !== want);
  if (other !== undefined) return `it names record ${other}, not ${want}`;
  if (expected.named === true && named.length === 0) return "it names no record";
  return undefined;
}
