import type { Metadata } from "@xrm-offline/metadata";
import { splitOptions } from "./query-decode.ts";
import {
  type FetchXmlReader,
  MAX_OPTIONS_LENGTH,
  type ParseQueryOptionsSettings,
  parseQueryOptions,
  setLoadedFetchXmlReader,
} from "./query-options.ts";
import type { QueryPlan } from "./query-plan.ts";

let reader: Promise<FetchXmlReader> | undefined;

/**
 * The FetchXML reader, loaded on first use: it and its XML parser (fast-xml-parser) are a chunk of
 * their own (~25 kB gzip) that a page querying only with OData options never downloads.
 */
export function loadFetchXmlReader(): Promise<FetchXmlReader> {
  reader ??= import("../fetchxml/fetchxml-parse.ts").then((m) => {
    setLoadedFetchXmlReader(m.parseFetchXml);
    return m.parseFetchXml;
  });
  // A failed load (e.g. offline before the chunk was cached) is retried on the next query.
  reader.catch(() => {
    reader = undefined;
  });
  return reader;
}

/** Whether the options hold a fetchXml option (names compared as parseQueryOptions does). */
function hasFetchXml(options: unknown): boolean {
  return (
    typeof options === "string" &&
    options.length <= MAX_OPTIONS_LENGTH &&
    /fetchxml/i.test(options) &&
    splitOptions(options).some((o) => o.name.toLowerCase() === "fetchxml")
  );
}

/**
 * `parseQueryOptions` for callers that can wait: the same plan and the same errors, with the
 * FetchXML reader loaded when the options hold `fetchXml`.
 */
export async function planQuery(
  metadata: Metadata,
  entityLogicalName: string,
  options: string | undefined,
  settings: Omit<ParseQueryOptionsSettings, "fetchXml"> = {},
): Promise<QueryPlan> {
  const fetchXml = hasFetchXml(options) ? await loadFetchXmlReader() : undefined;
  return parseQueryOptions(
    metadata,
    entityLogicalName,
    options,
    fetchXml ? { ...settings, fetchXml } : settings,
  );
}
