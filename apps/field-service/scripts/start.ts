/**
 * The demo: the emulator on a file database (demo data on first start, or after --reset) and the
 * field-service app in front of it, on one origin. Prints the URLs; runs until Ctrl+C, which ends
 * it with exit code 0. Options: --help.
 */
import { rmSync } from "node:fs";
import type { Emulator } from "@xrm-offline/emulator";
import type { FieldService } from "../src/server/start-field-service.ts";
import { parseStartOptions, START_USAGE } from "../src/server/start-options.ts";

let options: ReturnType<typeof parseStartOptions>;
try {
  options = parseStartOptions(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n\n${START_USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(START_USAGE);
  process.exit(0);
}

// Loaded only now: the emulator and vite take seconds to import, --help should not wait for them.
const [{ seedDemoData, startEmulator }, { startFieldService }] = await Promise.all([
  import("@xrm-offline/emulator"),
  import("../src/server/start-field-service.ts"),
]);

let emulator: Emulator | undefined;
let app: FieldService | undefined;
let stopping = false;
// `process.on`, not `once`: pnpm and tsx pass Ctrl+C on to us as well, so the signal can arrive
// twice; a second one with no listener left would end the process with 130 (pnpm: "Command failed").
const stop = () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await app?.close();
    await emulator?.close();
    process.exit(0);
  })();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

function explain(e: unknown, what: string): string {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE")
    return `${what}: the port is already in use (choose another with --help's options).`;
  return `${what}: ${(e as Error).message}`;
}

try {
  if (options.reset) {
    for (const suffix of ["", "-wal", "-shm", "-journal"])
      rmSync(`${options.database}${suffix}`, { force: true });
    process.stdout.write(`Reset: removed ${options.database}\n`);
  }
  emulator = await startEmulator({ port: options.emulatorPort, database: options.database });
} catch (e) {
  process.stderr.write(`${explain(e, `Could not start the emulator on port ${options.emulatorPort}`)}\n`);
  process.exit(1);
}
if (emulator.count("account") === 0) {
  const demo = seedDemoData(emulator);
  process.stdout.write(
    `Seeded demo data: ${demo.accountIds.length} accounts, ${demo.incidentIds.length} open cases, ${demo.taskIds.length} tasks\n`,
  );
}
try {
  app = await startFieldService({
    port: options.port,
    host: options.host,
    emulator,
    distDir: options.distDir,
    ...(options.publicOrigin !== undefined ? { publicOrigin: options.publicOrigin } : {}),
    // A build left from older sources would be served as if current: build unless told not to.
    build: options.skipBuild ? "if-missing" : true,
  });
} catch (e) {
  process.stderr.write(`${explain(e, `Could not start the app on port ${options.port}`)}\n`);
  await emulator.close();
  process.exit(1);
}
process.stdout.write(`Dataverse Web API emulator: ${emulator.url} (database ${options.database})\n`);
process.stdout.write(`Field Service app:          ${app.url}\n`);
process.stdout.write(`Web API as the app sees it: ${app.serverUrl}\n`);
process.stdout.write(
  "Ctrl+C stops both. Fresh demo data: add --reset (and clear the site's data in the browser).\n",
);
