import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** What the service worker caches at install: every built file but itself and source maps. */
export interface PrecacheManifest {
  /** Changes whenever any listed file's bytes change. */
  readonly version: string;
  /** URL paths, `/` first (the app shell), then sorted. */
  readonly files: readonly string[];
}

const EXCLUDED = [/\.map$/, /^\/sw\.js$/, /^\/\./];

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** List a built app folder as a precache manifest. */
export async function precacheManifest(dist: string): Promise<PrecacheManifest> {
  const hash = createHash("sha256");
  const files: string[] = [];
  for (const full of (await walk(dist)).sort()) {
    const url = `/${relative(dist, full).split(sep).join("/")}`;
    if (EXCLUDED.some((re) => re.test(url))) continue;
    files.push(url);
    hash
      .update(url)
      .update("\0")
      .update(await readFile(full))
      .update("\0");
  }
  if (!files.includes("/index.html")) throw new Error(`${dist} has no index.html: not a built app`);
  // `/` is what a navigation asks for; it is served from the cached index.html.
  const ordered = ["/", ...files.filter((f) => f !== "/index.html").sort(), "/index.html"];
  return { version: hash.digest("hex").slice(0, 16), files: ordered };
}
