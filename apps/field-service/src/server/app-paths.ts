import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** apps/field-service */
export const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where `buildFieldService` writes the app by default. */
export const DEFAULT_DIST = join(APP_ROOT, "dist");
