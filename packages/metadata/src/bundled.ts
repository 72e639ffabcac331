/**
 * `@xrm-offline/metadata/bundled`: the bundled metadata of the most used tables (~90 kB minified),
 * an entry point of its own so that only the apps that want it download it.
 */
export { BUNDLED_TABLES, bundledMetadata } from "./bundled-metadata.ts";
