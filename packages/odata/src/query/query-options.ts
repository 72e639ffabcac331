import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import type { FetchPlanParts } from "../fetchxml/fetchxml-parse.ts";
import { parseFilter } from "./filter-parser.ts";
import { encodeOption, splitOptions } from "./query-decode.ts";
import { clip, notSupportedOffline, parserError } from "./query-errors.ts";
import { indexHintOf } from "./query-index-hint.ts";
import type { ExpandPlan, FilterNode, OrderKey, QueryPlan } from "./query-plan.ts";
import { parseExpand, parseOrderBy, parseSelect } from "./query-select.ts";
import { fingerprintOf } from "./query-skip-token.ts";

/** Longest options string accepted: the server's URL limit is 32 KB. */
export const MAX_OPTIONS_LENGTH = 32_768;

export interface ParseQueryOptionsSettings {
  /**
   * "collection" (default) for retrieveMultipleRecords; "record" for retrieveRecord, where
   * only `$select` and `$expand` mean something.
   */
  readonly target?: "collection" | "record";
  /**
   * The FetchXML reader (`parseFetchXml`), needed only for `?fetchXml=` options. It is passed in,
   * not imported, so that pages that never query with FetchXML don't download it and its XML
   * parser: `planQuery` (or `loadFetchXmlReader`) loads it on first use; after that, parses without
   * this setting use the loaded one.
   */
  readonly fetchXml?: FetchXmlReader;
}

/** Reads a `<fetch>` document into the parts of a QueryPlan (`parseFetchXml`). */
export type FetchXmlReader = (metadata: Metadata, entity: EntityMetadata, xml: string) => FetchPlanParts;

/** The reader once `loadFetchXmlReader` has loaded it: from then on every parse can use it. */
let loadedReader: FetchXmlReader | undefined;
export function setLoadedFetchXmlReader(reader: FetchXmlReader): void {
  loadedReader = reader;
}

const OPTIONS = new Set([
  "$select",
  "$filter",
  "$orderby",
  "$top",
  "$expand",
  "$count",
  "$skiptoken",
  "fetchxml",
]);
const REJECTED_OFFLINE = new Set(["$skip", "$apply", "$search", "$compute", "$levels"]);
const RECORD_OPTIONS = new Set(["$select", "$expand"]);

/**
 * Parses and validates the options string of `Xrm.WebApi.retrieveRecord` /
 * `retrieveMultipleRecords` (`?$select=…&$filter=…`, or `?fetchXml=<fetch…>`), with or without
 * the leading `?`, percent-encoded or not, into a QueryPlan for `evaluateQuery`.
 * Throws XrmError: 0x0 for malformed options or unknown names, NotSupported for what offline
 * reads don't do, QueryBuilder* codes for FetchXML.
 */
export function parseQueryOptions(
  metadata: Metadata,
  entityLogicalName: string,
  options: string | undefined,
  settings: ParseQueryOptionsSettings = {},
): QueryPlan {
  const entity = metadata.entity(entityLogicalName);
  if (!entity) {
    throw xrmError(
      "ResourceNotFound",
      `The table '${clip(entityLogicalName)}' is not in the offline metadata.`,
    );
  }
  const text = options ?? "";
  if (typeof text !== "string") throw xrmError("InvalidArgument", "The query options must be a string.");
  if (text.length > MAX_OPTIONS_LENGTH) {
    throw parserError(
      `The query options are ${text.length} characters long; at most ${MAX_OPTIONS_LENGTH} are accepted.`,
    );
  }
  const values = new Map<string, string>();
  const kept: string[] = [];
  for (const { name, value } of splitOptions(text)) {
    const key = name.toLowerCase();
    if (REJECTED_OFFLINE.has(key)) throw notSupportedOffline(`The query option '${name}'`);
    if (!OPTIONS.has(key)) throw parserError(`The query parameter '${clip(name)}' is not supported.`);
    if (settings.target === "record" && !RECORD_OPTIONS.has(key)) {
      throw parserError(`The query option '${name}' can't be used when retrieving a single record.`);
    }
    if (values.has(key)) {
      throw parserError(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    }
    values.set(key, value);
    if (key !== "$skiptoken") kept.push(encodeOption(key === "fetchxml" ? "fetchXml" : key, value));
  }
  const skipToken = values.get("$skiptoken");
  const optionsBase = kept.join("&");

  const fetchXml = values.get("fetchxml");
  if (fetchXml !== undefined) {
    if (values.size > (skipToken === undefined ? 1 : 2)) {
      throw parserError("The fetchXml query option can't be combined with other OData query options.");
    }
    const read = settings.fetchXml ?? loadedReader;
    if (!read) {
      throw xrmError("NotSupported", "FetchXML needs the FetchXML reader: call planQuery, which loads it.");
    }
    const fetch = read(metadata, entity, fetchXml);
    return finish({
      ...fetch,
      entity: entity.logicalName,
      primaryKey: entity.primaryIdAttribute,
      source: "fetchxml",
      options: optionsBase,
      ...(skipToken !== undefined ? { skipToken } : {}),
    });
  }

  const need = (key: string): string | undefined => {
    const v = values.get(key);
    if (v !== undefined && v.trim() === "") throw parserError(`The query option '${key}' needs a value.`);
    return v;
  };
  const selectText = need("$select");
  const filterText = need("$filter");
  const orderText = need("$orderby");
  const topText = need("$top");
  const expandText = need("$expand");
  const countText = need("$count");

  let top: number | undefined;
  if (topText !== undefined) {
    const t = topText.trim();
    if (!/^\d{1,10}$/.test(t) || Number(t) > 2_147_483_647) {
      throw parserError(
        `Invalid value '${clip(topText)}' for $top query option found. The $top query option requires a non-negative integer value.`,
      );
    }
    top = Number(t);
  }
  if (countText !== undefined && countText !== "true" && countText !== "false") {
    throw parserError(`'${clip(countText)}' is not a valid count option.`);
  }
  return finish({
    entity: entity.logicalName,
    primaryKey: entity.primaryIdAttribute,
    source: "odata",
    select: selectText === undefined ? "all" : parseSelect(entity, selectText),
    ...(filterText !== undefined ? { filter: parseFilter(metadata, entity, filterText) } : {}),
    orderBy: orderText === undefined ? [] : parseOrderBy(entity, orderText),
    ...(top !== undefined ? { top } : {}),
    expand: expandText === undefined ? [] : parseExpand(metadata, entity, expandText),
    count: countText === "true",
    ...(skipToken !== undefined ? { skipToken } : {}),
    options: optionsBase,
  });
}

type Unfinished = Omit<QueryPlan, "fingerprint" | "indexHint">;

/** Adds what is derived from the rest: the index hint and the fingerprint. */
function finish(plan: Unfinished): QueryPlan {
  const indexHint = indexHintOf(plan.filter, plan.primaryKey);
  return {
    ...plan,
    ...(indexHint ? { indexHint } : {}),
    fingerprint: planFingerprint(plan.entity, plan.filter, plan.orderBy, plan.top, plan.expand, plan.page),
  };
}

function planFingerprint(
  entity: string,
  filter: FilterNode | undefined,
  orderBy: readonly OrderKey[],
  top: number | undefined,
  expand: readonly ExpandPlan[],
  page: QueryPlan["page"],
): string {
  const joins = expand.filter((e) => e.required || e.filter).map((e) => [e.navigation, e.required, e.filter]);
  return fingerprintOf(JSON.stringify([entity, filter ?? null, orderBy, top ?? null, joins, page ?? null]));
}
