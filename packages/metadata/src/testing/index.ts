export { SEED_CUSTOM_LOOKUP, seedExampleMetadata } from "./seed-example-metadata.ts";
