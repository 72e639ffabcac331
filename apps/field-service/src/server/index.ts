export { API_PATH } from "./api-proxy.ts";
export { APP_ROOT, DEFAULT_DIST } from "./app-paths.ts";
export { type BuildResult, buildFieldService } from "./build-field-service.ts";
export type { PrecacheManifest } from "./precache-list.ts";
export { type FieldService, type FieldServiceOptions, startFieldService } from "./start-field-service.ts";
