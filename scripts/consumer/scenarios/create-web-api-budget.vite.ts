// (iii) Issue 13's budget, checked on what npm users get: a page that imports only `createWebApi`
// and passes metadata of its own (one table, not the bundled set), built by Vite from the installed
// tarballs. check.mjs fails if the page's first chunk (the entry and its static imports; later
// chunks load on first use) weighs more than the budget below, minified + gzip (level 9).
// first-chunk budget: 75000 B min+gzip
import { Metadata } from "@xrm-offline/metadata";
import { createWebApi } from "@xrm-offline/webapi";

const metadata = new Metadata({
  entities: [
    {
      logicalName: "account",
      entitySetName: "accounts",
      primaryIdAttribute: "accountid",
      primaryNameAttribute: "name",
      attributes: [
        { name: "accountid", type: "Edm.Guid" },
        { name: "name", type: "Edm.String" },
        { name: "modifiedon", type: "Edm.DateTimeOffset" },
      ],
      singleValuedNavigations: [],
      collectionNavigations: [],
    },
  ],
});
const api = createWebApi({
  serverUrl: "https://contoso.crm.dynamics.com/api/data/v9.2",
  getAccessToken: async () => "token",
  metadata,
  offlineTables: ["account"],
});
void api.createRecord("account", { name: "From a Vite page" });
