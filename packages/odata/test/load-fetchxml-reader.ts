// Tests call parseQueryOptions synchronously, FetchXML included: load the FetchXML reader once,
// as planQuery does on a page's first FetchXML query (plan-query.test.ts tests that path itself).
import { loadFetchXmlReader } from "../src/query/plan-query.ts";

await loadFetchXmlReader();
