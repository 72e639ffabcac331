// (iii) A page that imports createWebApi, built by Vite from the installed package.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";

const api = createWebApi({ metadata: bundledMetadata(), offlineTables: ["account"] });
void api.createRecord("account", { name: "From a Vite page" });
