/**
 * The demo script as a user runs it: a real process, its printed URLs, --help, --reset, and Ctrl+C
 * (SIGINT) ending it with exit code 0. A stand-in build folder keeps vite out of it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ROOT } from "../src/server/app-paths.ts";
import { parseStartOptions } from "../src/server/start-options.ts";

interface Run {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Resolves with the output once `text` has been printed. */
  printed(text: string): Promise<string>;
}

function run(args: readonly string[]): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: APP_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { text: string; resolve: (s: string) => void }[] = [];
  const onData = (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve(out);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exit,
    output: () => out,
    printed: (text) =>
      new Promise<string>((resolve, reject) => {
        if (out.includes(text)) resolve(out);
        else waiters.push({ text, resolve });
        void exit.then(() => reject(new Error(`exited before printing '${text}':\n${out}`)));
      }),
  };
}

describe("parseStartOptions and pnpm's separator", () => {
  it("takes a leading '--' (pnpm start -- --help) as no argument", () => {
    expect(parseStartOptions(["--", "--help"]).help).toBe(true);
    expect(parseStartOptions(["--", "--port", "0"]).port).toBe(0);
  });
  it("has a fixed default emulator port and --reset", () => {
    expect(parseStartOptions([]).emulatorPort).toBe(4174);
    expect(parseStartOptions(["--reset"]).reset).toBe(true);
    expect(parseStartOptions([]).reset).toBe(false);
  });
});

describe("scripts/start.ts", { timeout: 180_000 }, () => {
  let dir: string;
  let database: string;
  let dist: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fs-start-"));
    database = join(dir, "emulator.sqlite");
    dist = join(dir, "dist");
    mkdirSync(dist);
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>stand-in build</title>");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = () => [
    "--port",
    "0",
    "--emulator-port",
    "0",
    "--database",
    database,
    "--dist",
    dist,
    "--skip-build",
  ];

  it("--help prints the usage and exits 0, also after pnpm's '--'", async () => {
    const r = run(["--", "--help"]);
    expect(await r.exit).toEqual({ code: 0, signal: null });
    expect(r.output()).toMatch(/^Usage: pnpm --filter @xrm-offline\/field-service start/);
    const bad = run(["--nope"]);
    expect((await bad.exit).code).toBe(2);
  });

  it("serves, ends with exit code 0 on Ctrl+C (SIGINT, twice as pnpm passes it on), and --reset starts from fresh demo data", async () => {
    const count = async (u: string | undefined) =>
      ((await (await fetch(`${u}api/data/v9.2/accounts?$select=name`)).json()) as { value: unknown[] }).value
        .length;
    const first = run(base());
    const url = /Field Service app:\s+(\S+)/.exec(await first.printed("Ctrl+C stops both"))?.[1];
    expect(url).toBeDefined();
    expect(await (await fetch(url!)).text()).toBe("<!doctype html><title>stand-in build</title>");
    expect(await count(url)).toBe(4);
    const created = await fetch(`${url}api/data/v9.2/accounts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Added during the demo" }),
    });
    expect(created.status).toBe(204);
    expect(await count(url)).toBe(5);
    first.child.kill("SIGINT");
    first.child.kill("SIGINT");
    expect(await first.exit).toEqual({ code: 0, signal: null });

    const reset = run([...base(), "--reset"]);
    const resetOut = await reset.printed("Ctrl+C stops both");
    expect(resetOut).toContain("Seeded demo data: 4 accounts");
    expect(await count(/Field Service app:\s+(\S+)/.exec(resetOut)?.[1])).toBe(4);
    reset.child.kill("SIGINT");
    expect(await reset.exit).toEqual({ code: 0, signal: null });
  });
});
