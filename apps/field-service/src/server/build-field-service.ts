import { build } from "vite";
import { DEFAULT_DIST } from "./app-paths.ts";
import { type PrecacheManifest, precacheManifest } from "./precache-list.ts";
import { appViteConfig, serviceWorkerViteConfig } from "./vite-config.ts";

export interface BuildResult {
  readonly outDir: string;
  readonly precache: PrecacheManifest;
}

/**
 * Build the PWA into `outDir`: first the app, then the service worker with the list of the app's
 * files baked in (so it can cache the whole shell at install and serve it with no network).
 */
export async function buildFieldService(outDir: string = DEFAULT_DIST): Promise<BuildResult> {
  await build(appViteConfig(outDir, { serviceWorker: true }));
  const precache = await precacheManifest(outDir);
  await build(serviceWorkerViteConfig(outDir, precache));
  return { outDir, precache };
}
