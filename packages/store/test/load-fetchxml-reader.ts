// Some store tests build query plans synchronously, FetchXML included: load odata's FetchXML
// reader once, as planQuery does on a page's first FetchXML query.
import { loadFetchXmlReader } from "@xrm-offline/odata";

await loadFetchXmlReader();
