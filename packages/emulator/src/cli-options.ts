import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ANSWER_FAULT_KINDS } from "./http/answer-faults.ts";
import type { FaultInput, FaultOptions } from "./http/faults.ts";
import type { EmulatorOptions } from "./start-emulator.ts";

export const USAGE = `Usage: pnpm emulator [options]

  --port <n>            TCP port (default 5555; 0 = any free port)
  --host <addr>         Listen address (default 127.0.0.1)
  --database <path>     SQLite file, or :memory: (default ./.data/emulator.sqlite)
  --metadata <path>     CSDL $metadata XML file (default: the bundled tables)
  --access-token <tok>  Require "Authorization: Bearer <tok>" on every request
  --latency <ms>        Added latency per request (or min-max, e.g. 50-300)
  --fail-rate <0..1>    Fraction of requests that fail
  --fail-with <list>    What failures are: 429,500,503,reset-before,reset-after,
                        truncate,empty,html,json,garble-status,missing-parts,
                        reorder-parts (default 503)
  --retry-after <s>     Retry-After seconds on 429/503 (default 1)
  --fault-seed <n>      Seed of the fault random generator (default 1)
  --seed-demo           Add demo data (accounts, contacts, open cases, tasks) when the database is empty
  --max-body <bytes>    Largest request body (default 16777216)
  --help                Show this help
`;

export interface CliOptions {
  readonly emulator: EmulatorOptions;
  readonly seedDemo: boolean;
  readonly help: boolean;
}

const FAULTS = new Set(["429", "500", "503", "reset-before", "reset-after", ...ANSWER_FAULT_KINDS]);

function num(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${value}'`);
  return n;
}

/** Parse CLI arguments (pure except for reading the --metadata file). */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    // `pnpm emulator -- --help` hands the script a literal "--" first (pnpm's separator, not ours).
    args: argv[0] === "--" ? argv.slice(1) : [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      database: { type: "string" },
      metadata: { type: "string" },
      "access-token": { type: "string" },
      latency: { type: "string" },
      "fail-rate": { type: "string" },
      "fail-with": { type: "string" },
      "retry-after": { type: "string" },
      "fault-seed": { type: "string" },
      "seed-demo": { type: "boolean" },
      "max-body": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  let latencyMs: FaultOptions["latencyMs"];
  if (values.latency !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(values.latency);
    latencyMs = range ? { min: Number(range[1]), max: Number(range[2]) } : num("latency", values.latency);
  }
  const failRate = num("fail-rate", values["fail-rate"]);
  if (failRate !== undefined && (failRate < 0 || failRate > 1))
    throw new Error("--fail-rate must be between 0 and 1");
  const failWith = values["fail-with"]?.split(",").map((s) => s.trim());
  for (const f of failWith ?? []) if (!FAULTS.has(f)) throw new Error(`--fail-with: unknown fault '${f}'`);
  const retryAfter = num("retry-after", values["retry-after"]);
  const seed = num("fault-seed", values["fault-seed"]);
  const faults: FaultOptions = {
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(failRate !== undefined ? { failRate } : {}),
    ...(failWith ? { failWith: failWith as FaultInput[] } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
  const maxBodyBytes = num("max-body", values["max-body"]);
  return {
    help: values.help === true,
    seedDemo: values["seed-demo"] === true,
    emulator: {
      port: num("port", values.port, 5555)!,
      host: values.host ?? "127.0.0.1",
      database: values.database ?? "./.data/emulator.sqlite",
      ...(values.metadata !== undefined ? { metadata: readFileSync(values.metadata, "utf8") } : {}),
      ...(values["access-token"] !== undefined ? { accessToken: values["access-token"] } : {}),
      faults,
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    },
  };
}
