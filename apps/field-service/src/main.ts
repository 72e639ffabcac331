import { createWebApi, installXrmWebApi, type OfflineWebApi, type SyncStatus } from "@xrm-offline/webapi";
import { endpointsFor, OFFLINE_TABLES } from "./app-config.ts";
import { type AppSync, pageSync, workerSync } from "./boot/app-sync.ts";
import { registerServiceWorker, type ServiceWorkerClient } from "./boot/background-sync.ts";
import { countingFetch } from "./boot/counting-fetch.ts";
import "./styles.css";
import { renderCaseDetail } from "./ui/case-detail.ts";
import { h, mount } from "./ui/dom.ts";
import { renderNewCase } from "./ui/new-case.ts";
import { parseRoute, type Route } from "./ui/router.ts";
import { renderStatusBar } from "./ui/status-bar.ts";
import { renderSyncErrors } from "./ui/sync-errors.ts";
import { renderWorkList } from "./ui/work-list.ts";

/** What the page exposes for scripts (and tests): the same object as `Xrm.WebApi`. */
export interface FieldServiceGlobal {
  readonly api: OfflineWebApi;
  readonly sync: AppSync;
  readonly serviceWorker: Promise<ServiceWorkerClient | null>;
}

/** Set by the build (true) and the dev server (false): the worker only makes sense on built files. */
declare const __REGISTER_SERVICE_WORKER__: boolean;

declare global {
  interface Window {
    fieldService?: FieldServiceGlobal;
  }
}

function start(): void {
  const endpoints = endpointsFor(location.origin);
  const counter = countingFetch(globalThis.fetch.bind(globalThis));
  // `?sync=worker`: the sync engine runs in a dedicated worker; the page only reads and writes.
  const inWorker =
    new URLSearchParams(location.search).get("sync") === "worker" && typeof Worker === "function";
  const api = createWebApi({
    serverUrl: endpoints.serverUrl,
    databaseName: endpoints.databaseName,
    offlineTables: OFFLINE_TABLES,
    fetch: counter.fetch,
    ...(inWorker ? { sync: { autoStart: false } } : {}),
  });
  installXrmWebApi(api);
  const sync = inWorker ? workerSync() : pageSync(api);
  document.body.dataset.syncMode = sync.mode;

  const serviceWorker: Promise<ServiceWorkerClient | null> = __REGISTER_SERVICE_WORKER__
    ? registerServiceWorker().catch(() => null)
    : Promise.resolve(null);
  window.fieldService = { api, sync, serviceWorker };

  const statusRoot = h("header", { class: "status", "data-testid": "status-bar" });
  const main = h("main", { "data-testid": "view" });
  mount(
    document.body,
    h(
      "div",
      { class: "brand" },
      h("a", { href: "#/" }, "Field Service"),
      h("span", { class: "muted small" }, "offline-ready"),
    ),
    statusRoot,
    main,
  );
  const updateStatus = renderStatusBar(statusRoot, { sync, tabWrites: counter.writes });

  let route: Route = parseRoute(location.hash);
  let rendering = Promise.resolve();
  const render = () => {
    rendering = rendering.then(async () => {
      main.dataset.view = route.view;
      main.dataset.loading = "true";
      if (route.view === "work") await renderWorkList(main, api);
      else if (route.view === "case") await renderCaseDetail(main, api, route.id);
      else if (route.view === "new-case") await renderNewCase(main, api, (hash) => (location.hash = hash));
      else await renderSyncErrors(main, sync);
      main.dataset.loading = "false";
      document.body.dataset.ready = "true";
    });
  };
  window.addEventListener("hashchange", () => {
    route = parseRoute(location.hash);
    render();
  });
  render();

  // Lists follow the data: re-read them when a sync cycle ends or the counts change. Forms are
  // left alone (a refresh would throw away what is being typed).
  let last: SyncStatus | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  sync.status$.subscribe((status) => {
    updateStatus(status);
    const changed =
      !last ||
      last.pending !== status.pending ||
      last.failed !== status.failed ||
      last.lastSyncedAt !== status.lastSyncedAt ||
      (last.phase !== "idle" && status.phase === "idle");
    if (changed && status.pending > 0 && (!last || status.pending > last.pending)) {
      void serviceWorker.then((sw) => sw?.requestReplay());
    }
    last = status;
    if (changed && (route.view === "work" || route.view === "errors")) {
      clearTimeout(timer);
      timer = setTimeout(render, 150);
    }
  });
  // Closing the tab with changes waiting: make sure the service worker replays them later.
  window.addEventListener("pagehide", () => {
    if (last && last.pending > 0) void serviceWorker.then((sw) => sw?.requestReplay());
  });
}

start();
