/**
 * The demo: the emulator on a file database (demo data on first start) and the field-service app
 * in front of it, on one origin. Prints the URL; runs until Ctrl+C. Options: --help.
 */
import { seedDemoData, startEmulator } from "@xrm-offline/emulator";
import { startFieldService } from "../src/server/start-field-service.ts";
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

const emulator = await startEmulator({ port: options.emulatorPort, database: options.database });
if (emulator.count("account") === 0) {
  const demo = seedDemoData(emulator);
  process.stdout.write(
    `Seeded demo data: ${demo.accountIds.length} accounts, ${demo.incidentIds.length} open cases, ${demo.taskIds.length} tasks\n`,
  );
}
const app = await startFieldService({
  port: options.port,
  host: options.host,
  emulator,
  // A build left from older sources would be served as if current: build unless told not to.
  build: options.skipBuild ? "if-missing" : true,
});
process.stdout.write(`Dataverse Web API emulator: ${emulator.url} (database ${options.database})\n`);
process.stdout.write(`Field Service app:          ${app.url}\n`);
process.stdout.write(`Web API as the app sees it: ${app.serverUrl}\n`);

const stop = async () => {
  await app.close();
  await emulator.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
