/** `pnpm --filter @xrm-offline/field-service build`: the PWA into apps/field-service/dist. */
import { buildFieldService } from "../src/server/build-field-service.ts";

const result = await buildFieldService(process.argv[2]);
process.stdout.write(
  `Built ${result.precache.files.length} files (version ${result.precache.version}) into ${result.outDir}\n`,
);
