import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { APP_ROOT, DEFAULT_DIST } from "./app-paths.ts";

/** The demo's emulator port: fixed (the app's port + 1), so a bookmark or a script can rely on it. */
export const DEFAULT_EMULATOR_PORT = 4174;

export const START_USAGE = `Usage: pnpm --filter @xrm-offline/field-service start [-- options]
       pnpm demo [-- options]

Starts the Dataverse Web API emulator (seeded with demo data on first start) and serves the
field-service PWA with the emulator behind /api/data/v9.2 on the same origin. Ctrl+C stops both.

  --port <n>           App port (default 4173; 0 = any free port)
  --host <addr>        Listen address of the app (default 127.0.0.1)
  --public-origin <u>  Origin browsers use to reach the app, when behind a proxy (default http://<host>:<port>)
  --emulator-port <n>  Emulator port (default ${DEFAULT_EMULATOR_PORT}; 0 = any free port)
  --database <path>    Emulator SQLite file (default apps/field-service/.data/emulator.sqlite)
  --reset              Delete the database first and start again from fresh demo data
  --dist <folder>      Folder of the built app (default apps/field-service/dist)
  --skip-build         Serve the existing build (default: build first, a few seconds)
  --help               Show this help
`;

export interface StartOptions {
  readonly port: number;
  readonly host: string;
  readonly publicOrigin: string | undefined;
  readonly emulatorPort: number;
  readonly database: string;
  readonly reset: boolean;
  readonly distDir: string;
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

function path(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return isAbsolute(value) ? value : resolve(process.cwd(), value);
}

/** Parse the start script's arguments (pure but for resolving relative paths against the cwd). */
export function parseStartOptions(argv: readonly string[]): StartOptions {
  const { values } = parseArgs({
    // `pnpm start -- --help` hands the script a literal "--" first: it only separates pnpm's own
    // options from the script's, so it is not an end-of-options marker here.
    args: argv[0] === "--" ? argv.slice(1) : [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "public-origin": { type: "string" },
      "emulator-port": { type: "string" },
      database: { type: "string" },
      reset: { type: "boolean" },
      dist: { type: "string" },
      "skip-build": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  return {
    port: port("port", values.port, 4173),
    host: values.host ?? "127.0.0.1",
    publicOrigin: values["public-origin"],
    emulatorPort: port("emulator-port", values["emulator-port"], DEFAULT_EMULATOR_PORT),
    database: path(values.database, join(APP_ROOT, ".data", "emulator.sqlite")),
    reset: values.reset === true,
    distDir: path(values.dist, DEFAULT_DIST),
    skipBuild: values["skip-build"] === true,
    help: values.help === true,
  };
}
