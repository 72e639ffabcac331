#!/usr/bin/env node
/**
 * `pnpm emulator [options]`: run the local Dataverse Web API until Ctrl+C. See USAGE.
 */
import { parseCliOptions, USAGE } from "./cli-options.ts";
import { seedDemoData } from "./seed-demo.ts";
import { startEmulator } from "./start-emulator.ts";

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliOptions>;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startEmulator(options.emulator);
  if (options.seedDemo && emulator.count("account") === 0) {
    const demo = seedDemoData(emulator);
    process.stdout.write(
      `Seeded demo data: ${demo.accountIds.length} accounts, ${demo.incidentIds.length} open cases, ${demo.taskIds.length} tasks\n`,
    );
  }
  process.stdout.write(`Dataverse Web API emulator listening at ${emulator.url}\n`);
  process.stdout.write(`Database: ${options.emulator.database}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  };
  // `on`, not `once`: pnpm passes Ctrl+C on too, and a second signal with no listener would end
  // the process with 130 ("Command failed") instead of 0.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

await main();
