import { join } from "node:path";
import { parseArgs } from "node:util";
import { APP_ROOT } from "./app-paths.ts";

export const START_USAGE = `Usage: pnpm --filter @xrm-offline/field-service start [options]

Starts the Dataverse Web API emulator (seeded with demo data on first start) and serves the
field-service PWA with the emulator behind /api/data/v9.2 on the same origin.

  --port <n>           App port (default 4173; 0 = any free port)
  --host <addr>        Listen address of the app (default 127.0.0.1)
  --emulator-port <n>  Emulator port (default 0 = any free port; the app proxies to it)
  --database <path>    Emulator SQLite file (default apps/field-service/.data/emulator.sqlite)
  --skip-build         Serve the existing build (default: build first, a few seconds)
  --help               Show this help
`;

export interface StartOptions {
  readonly port: number;
  readonly host: string;
  readonly emulatorPort: number;
  readonly database: string;
  readonly skipBuild: boolean;
  readonly help: boolean;
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new Error(`--${name} must be a port number (0-65535), got '${value}'`);
  return n;
}

/** Parse the start script's arguments (pure). */
export function parseStartOptions(argv: readonly string[]): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "emulator-port": { type: "string" },
      database: { type: "string" },
      "skip-build": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  return {
    port: port("port", values.port, 4173),
    host: values.host ?? "127.0.0.1",
    emulatorPort: port("emulator-port", values["emulator-port"], 0),
    database: values.database ?? join(APP_ROOT, ".data", "emulator.sqlite"),
    skipBuild: values["skip-build"] === true,
    help: values.help === true,
  };
}
