// `pnpm exec vite` in this folder: the dev server (the service worker is only in builds).
import { appViteConfig } from "./src/server/vite-config.ts";

export default appViteConfig("dist", { serviceWorker: false });
