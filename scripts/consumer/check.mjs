#!/usr/bin/env node
/**
 * The external-consumer check (`pnpm test:consumer`, part of `pnpm test`): what a user who
 * `npm install`s our packages gets, tried outside this workspace.
 *
 *   1. `pnpm pack` every package under packages/ (needs `pnpm build` first: the tarballs hold
 *      dist/, and pnpm rewrites `workspace:*` to real versions and applies publishConfig);
 *   2. `publint` and `@arethetypeswrong/cli` on each tarball (any message fails the check);
 *   3. a temporary project under os.tmpdir() — never inside the workspace, so nothing resolves
 *      through the workspace's node_modules — `npm install`s the tarballs (copies, no links) and
 *      the third-party packages the scenarios need, from the npm registry;
 *   4. the scenarios in scripts/consumer/scenarios/ run in that project, chosen by file name:
 *        *.node.mjs      run with plain `node` (no tsx, no loaders); exit 0 = pass
 *        *.typecheck.ts  type-checked together by `tsc` with a strict consumer tsconfig
 *        (and .cts)      (strict, exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature,
 *                        noUncheckedIndexedAccess, skipLibCheck: false), twice: with the
 *                        workspace's TypeScript 7 and with the TypeScript 5.9 the consumer project
 *                        installs (for ts-jest; the version a consumer most likely has). Every entry
 *                        point in a package's `exports` must be imported by one of these files
 *                        (entry-points.typecheck.ts imports them all), or the check fails
 *        *.vite.ts       each the entry of a page built by `vite build`; a file with a line
 *                        `first-chunk budget: N B min+gzip` fails if the page's first chunk (entry +
 *                        static imports, per Vite's manifest) weighs more than N bytes min+gzip
 *        *.run.mjs       run with `node`, for scenarios that set up a project of their own (e.g. a
 *                        Jest CommonJS project): they get CONSUMER_DIR (the installed project),
 *                        CONSUMER_TARBALLS (JSON: package name → tarball path) and
 *                        WORKSPACE_DIR in the environment; exit 0 = pass
 *      A scenario that needs more third-party packages lists them in scenarios/dependencies.json
 *      (name → version); they are installed with the tarballs in one `npm install`.
 *   The temporary project is removed at the end (kept with KEEP_CONSUMER=1, for debugging).
 *
 * better-sqlite3 (the emulator's native dependency): its prebuilt binaries can't be downloaded on a
 * machine without internet access, and compiling it takes minutes on a shared 2-core machine. So
 * the install runs with scripts off and puts in the binary that the workspace's own install
 * compiled for the same better-sqlite3 version and Node ABI — exactly what prebuild-install would
 * have downloaded; without such a binary it compiles (`npm rebuild better-sqlite3`).
 *
 * Tools that only inspect the project (tsc, vite, publint, attw) are the workspace's own binaries,
 * pointed at the temporary project; the code under test is only ever what the tarballs hold.
 * Usage: node scripts/consumer/check.mjs [name-filter]
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { nodeHeadersDir } from "../node-headers.mjs";

const workspace = fileURLToPath(new URL("../..", import.meta.url));
const scenariosDir = fileURLToPath(new URL("./scenarios", import.meta.url));
const bin = (name) => join(workspace, "node_modules", ".bin", name);
const filter = process.argv[2];
const env = {
  ...process.env,
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
};
const nodedir = nodeHeadersDir();
if (nodedir) env.npm_config_nodedir = nodedir;

let failures = 0;
let passed = 0;
/** Runs a command; resolves with its result after printing ✓/✗ (and the output on failure). */
function run(label, command, args, options = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, ...options, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeout ?? 600_000);
    const done = (status, error) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = status === 0 && !options.expectSilence?.(out);
      if (ok) passed++;
      else failures++;
      console.log(`${ok ? "✓" : "✗"} ${label} (${seconds} s${ok ? "" : `, exit ${status}`})`);
      if (!ok) process.stdout.write(`${out}${error ? String(error) : ""}\n`);
      resolve({ status: ok ? 0 : (status ?? 1), out });
    };
    child.on("error", (e) => done(1, e));
    child.on("close", (code, signal) => done(code ?? signal));
  });
}
async function mustRun(label, command, args, options) {
  const r = await run(label, command, args, options);
  if (r.status !== 0) finish();
  return r;
}
/** pnpm: the one running this script (pnpm test) when there is one, else the pinned one via npx. */
const execpath = process.env.npm_execpath;
const pnpm = !execpath?.includes("pnpm")
  ? ["npx", "-y", "pnpm@12.4.2"]
  : /\.[cm]?js$/.test(execpath)
    ? [process.execPath, execpath]
    : [execpath]; // pnpm 12 is a native executable

const project = mkdtempSync(join(tmpdir(), "xrm-offline-consumer-"));
const packs = join(project, ".tarballs");
mkdirSync(packs);
function finish() {
  if (process.env.KEEP_CONSUMER) console.log(`kept ${project}`);
  else rmSync(project, { recursive: true, force: true });
  console.log(`consumer check: ${passed} passed, ${failures} failed`);
  process.exit(failures > 0 ? 1 : 0);
}

// 1. Pack.
const tarballs = {};
const requireCondition = new Set();
/** Package name → the subpaths of its published `exports` (".", "./online", …). */
const entryPoints = {};
for (const dir of readdirSync(join(workspace, "packages")).sort()) {
  const pkgDir = join(workspace, "packages", dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  // Only the packages set up for publishing (publishConfig points at their build) are packed.
  if (pkg.private || !pkg.publishConfig) {
    console.log(`- ${pkg.name}: not set up for publishing, skipped`);
    continue;
  }
  if (!existsSync(join(pkgDir, "dist"))) {
    console.log(`✗ ${pkg.name} has no dist/: run \`pnpm build\` first`);
    failures++;
    finish();
  }
  const r = await mustRun(
    `pnpm pack ${pkg.name}`,
    pnpm[0],
    [...pnpm.slice(1), "pack", "--pack-destination", packs],
    {
      cwd: pkgDir,
    },
  );
  const file = readdirSync(packs).find((f) =>
    f.startsWith(`${pkg.name.slice(1).replace("/", "-")}-${pkg.version}`),
  );
  if (!file) {
    console.log(`✗ no tarball for ${pkg.name}:\n${r.out}`);
    failures++;
    finish();
  }
  tarballs[pkg.name] = join(packs, file);
  entryPoints[pkg.name] = Object.keys(pkg.publishConfig.exports ?? { ".": null });
  if (JSON.stringify(pkg.publishConfig.exports?.["."] ?? {}).includes('"require"'))
    requireCondition.add(pkg.name);
}

// 2. Lint the tarballs as published (runs while npm installs, below).
async function lint() {
  for (const [name, tarball] of Object.entries(tarballs)) {
    if (filter && !name.includes(filter) && filter !== "lint") continue;
    await run(`publint ${name}`, bin("publint"), ["run", tarball, "--strict"], {
      cwd: project,
      // publint exits 0 on suggestions; we want none of them.
      expectSilence: (out) => !/All good!/.test(out),
    });
    // ESM-only packages: the CommonJS `require` resolutions (node10, node16-cjs) don't apply.
    // A package with a `require` condition (testing's CommonJS build for Jest) is checked under
    // node16 too, CommonJS included; node10 (no `exports` at all) stays out for every package.
    const profile = requireCondition.has(name) ? "node16" : "esm-only";
    await run(
      `attw ${name} (${profile})`,
      bin("attw"),
      [tarball, "--profile", profile, "--format", "ascii"],
      {
        cwd: project,
      },
    );
  }
}

// 3. The consumer project.
const extra = existsSync(join(scenariosDir, "dependencies.json"))
  ? JSON.parse(readFileSync(join(scenariosDir, "dependencies.json"), "utf8"))
  : {};
writeFileSync(
  join(project, "package.json"),
  `${JSON.stringify(
    {
      name: "xrm-offline-consumer",
      private: true,
      type: "module",
      dependencies: {
        ...Object.fromEntries(Object.entries(tarballs).map(([n, t]) => [n, `file:${t}`])),
        ...extra,
      },
    },
    null,
    2,
  )}\n`,
);
const linting = lint();
await mustRun(
  "npm install (tarballs + registry)",
  "npm",
  ["install", "--no-package-lock", "--ignore-scripts", "--loglevel=error"],
  { cwd: project },
);
await installNativeBinary();
await linting;

/** better-sqlite3's binary: the workspace's build of the same version (see the header), or compile. */
async function installNativeBinary() {
  const dir = join(project, "node_modules", "better-sqlite3");
  if (!existsSync(dir)) return;
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const built = join(
    workspace,
    "node_modules",
    ".pnpm",
    `better-sqlite3@${version}`,
    "node_modules",
    "better-sqlite3",
    "build",
    "Release",
    "better_sqlite3.node",
  );
  if (existsSync(built)) {
    mkdirSync(join(dir, "build", "Release"), { recursive: true });
    copyFileSync(built, join(dir, "build", "Release", "better_sqlite3.node"));
    return;
  }
  await mustRun(`npm rebuild better-sqlite3@${version} (compiles)`, "npm", ["rebuild", "better-sqlite3"], {
    cwd: project,
  });
}
cpSync(scenariosDir, join(project, "scenarios"), { recursive: true });

// 4. Scenarios.
const scenarioFiles = readdirSync(scenariosDir)
  .sort()
  .filter((f) => !filter || f.includes(filter) || filter === "lint");
const childEnv = {
  ...env,
  CONSUMER_DIR: project,
  CONSUMER_TARBALLS: JSON.stringify(tarballs),
  WORKSPACE_DIR: workspace,
};
for (const f of scenarioFiles.filter((f) => f.endsWith(".node.mjs") || f.endsWith(".run.mjs"))) {
  await run(`node ${f}`, process.execPath, [join("scenarios", f)], {
    cwd: project,
    env: childEnv,
    // A .run.mjs scenario may run several tools (the Jest one: two Jest projects, ts-jest type-checking).
    timeout: f.endsWith(".run.mjs") ? 300_000 : 120_000,
  });
}
const isTypecheck = (f) => /\.typecheck\.c?ts$/.test(f);
const typechecks = scenarioFiles.filter(isTypecheck);
if (typechecks.length > 0) {
  checkEntryPointsImported();
  writeFileSync(
    join(project, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023", "DOM", "DOM.Iterable"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noPropertyAccessFromIndexSignature: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          // An entry point without types (the single file's import) is an error, not silently `any`.
          noUncheckedSideEffectImports: true,
          noEmit: true,
          types: ["xrm", "node"],
        },
        files: typechecks.map((f) => `scenarios/${f}`),
      },
      null,
      2,
    )}\n`,
  );
  const files = typechecks.join(", ");
  await run(
    `tsc ${toolVersion(workspace, "typescript")} (strict consumer) ${files}`,
    bin("tsc"),
    ["-p", "tsconfig.json"],
    {
      cwd: project,
    },
  );
  // The consumer's own TypeScript 5 (installed for ts-jest, see dependencies.json): declaration
  // files that TypeScript 7 accepts may still trip the compiler most projects use today.
  await run(
    `tsc ${toolVersion(project, "typescript")} (strict consumer) ${files}`,
    process.execPath,
    [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
    { cwd: project },
  );
}
for (const f of scenarioFiles.filter((f) => f.endsWith(".vite.ts"))) {
  const page = join(project, `page-${f.replace(/\.vite\.ts$/, "")}`);
  mkdirSync(page);
  writeFileSync(
    join(page, "index.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>${f}</title></head><body><script type="module" src="../scenarios/${f}"></script></body></html>\n`,
  );
  const built = await run(
    `vite build ${f}`,
    bin("vite"),
    ["build", page, "--outDir", join(page, "dist"), "--manifest", "--logLevel", "warn"],
    {
      cwd: project,
    },
  );
  const budget = /first-chunk budget: ([\d_,]+) B min\+gzip/.exec(
    readFileSync(join(scenariosDir, f), "utf8"),
  );
  if (built.status === 0 && budget)
    checkFirstChunk(f, join(page, "dist"), Number(budget[1].replace(/[_,]/g, "")));
}
finish();

/** "typescript 5.9.3": the version of `name` installed under `dir`. */
function toolVersion(dir, name) {
  return `${name} ${JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version}`;
}

/**
 * Fails unless every published entry point (package name + `exports` subpath; patterns such as
 * "./examples/*" and "./package.json" aside) is imported by a typecheck scenario — as a module
 * specifier, or as the path of a `/// <reference path>` into node_modules (xrm-offline.d.ts).
 */
function checkEntryPointsImported() {
  const text = readdirSync(scenariosDir)
    .filter(isTypecheck)
    .map((f) => readFileSync(join(scenariosDir, f), "utf8"))
    .join("\n");
  const missing = [];
  let count = 0;
  for (const [name, subpaths] of Object.entries(entryPoints)) {
    for (const subpath of subpaths) {
      if (subpath.includes("*") || subpath === "./package.json") continue;
      const specifier = subpath === "." ? name : `${name}${subpath.slice(1)}`;
      count++;
      if (!text.includes(`"${specifier}"`) && !text.includes(`/node_modules/${specifier}"`))
        missing.push(specifier);
    }
  }
  const ok = missing.length === 0;
  if (ok) passed++;
  else failures++;
  console.log(
    `${ok ? "✓" : "✗"} typecheck scenarios import every entry point (${count - missing.length} of ${count})${ok ? "" : `; missing: ${missing.join(", ")}`}`,
  );
}

/**
 * A page's first chunk as Vite built it — the entry chunk and the chunks it imports statically,
 * transitively (read from Vite's manifest); chunks reached only through a dynamic `import()` load on
 * first use and don't count — minified + gzip (level 9) per chunk, summed, against `budget` bytes.
 */
function checkFirstChunk(f, dist, budget) {
  const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
  const first = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || first.has(chunk.file)) return;
    first.add(chunk.file);
    for (const i of chunk.imports ?? []) visit(i);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  let gzip = 0;
  let minified = 0;
  for (const file of first) {
    const code = readFileSync(join(dist, file));
    minified += code.byteLength;
    gzip += gzipSync(code, { level: 9 }).byteLength;
  }
  const all = Object.values(manifest).filter((c) => c.file.endsWith(".js")).length;
  const ok = first.size > 0 && gzip <= budget;
  if (ok) passed++;
  else failures++;
  console.log(
    `${ok ? "✓" : "✗"} ${f}: first chunk ${gzip} B min+gzip (${minified} B minified, ${first.size} of ${all} chunks), budget ${budget} B`,
  );
}
