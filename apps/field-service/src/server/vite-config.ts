import { join } from "node:path";
import type { InlineConfig } from "vite";
import { APP_ROOT } from "./app-paths.ts";

/** The app bundle (index.html and what it loads). Shared by `vite` (dev) and `buildFieldService`. */
export function appViteConfig(outDir: string, options: { readonly serviceWorker: boolean }): InlineConfig {
  return {
    configFile: false,
    // Not import.meta.env.PROD: that follows NODE_ENV, which test runners set to "test".
    define: { __REGISTER_SERVICE_WORKER__: JSON.stringify(options.serviceWorker) },
    root: APP_ROOT,
    base: "/",
    publicDir: join(APP_ROOT, "public"),
    logLevel: "warn",
    // The sync worker (src/sync-worker.ts) is a module worker, bundled on its own.
    worker: { format: "es" },
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      sourcemap: true,
      // The bundled Dataverse metadata is one large module; that is expected.
      chunkSizeWarningLimit: 2048,
    },
    server: {
      // `vite` (dev): the Web API comes from the emulator through this proxy, as in production.
      proxy: { "/api": process.env.XRM_EMULATOR_ORIGIN ?? "http://127.0.0.1:5555" },
    },
  };
}

/**
 * The service worker: one classic script (`/sw.js`, no hash, no chunks), so the browser can
 * compare it byte for byte to find a new version; `precache` is baked in as a constant.
 */
export function serviceWorkerViteConfig(
  outDir: string,
  precache: { readonly version: string; readonly files: readonly string[] },
): InlineConfig {
  return {
    configFile: false,
    root: APP_ROOT,
    publicDir: false,
    logLevel: "warn",
    define: { __PRECACHE__: JSON.stringify(precache) },
    build: {
      outDir,
      emptyOutDir: false,
      target: "es2022",
      sourcemap: false,
      copyPublicDir: false,
      lib: {
        entry: join(APP_ROOT, "src", "sw", "service-worker.ts"),
        formats: ["iife"],
        name: "fieldServiceWorker",
        fileName: () => "sw.js",
      },
    },
  };
}
