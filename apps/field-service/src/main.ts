import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi, installXrmWebApi, type OfflineWebApi, type SyncStatus } from "@xrm-offline/webapi";
import { endpointsFor, OFFLINE_TABLES, uploadChunkBytesFrom } from "./app-config.ts";
import { type AppSync, pageSync, workerSync } from "./boot/app-sync.ts";
import { registerServiceWorker, type ServiceWorkerClient } from "./boot/background-sync.ts";
import { countingFetch } from "./boot/counting-fetch.ts";
import { lastSyncedMemory } from "./boot/last-synced.ts";
import "./styles.css";
import { renderCaseDetail } from "./ui/case-detail.ts";
import { renderDiagnostics } from "./ui/diagnostics.ts";
import { h, mount } from "./ui/dom.ts";
import { firstSyncCard } from "./ui/first-sync.ts";
import { firstSyncTracker, type TableProgress } from "./ui/first-sync-progress.ts";
import { listRedraw } from "./ui/list-redraw.ts";
import { renderNewCase } from "./ui/new-case.ts";
import { parseRoute, type Route } from "./ui/router.ts";
import { renderStatusBar } from "./ui/status-bar.ts";
import { renderSyncErrors } from "./ui/sync-errors.ts";
import { uploadsChanged } from "./ui/upload-progress.ts";
import { freshWorkListView, renderWorkList } from "./ui/work-list.ts";

/** What the page exposes for scripts (and tests): the same object as `Xrm.WebApi`. */
export interface FieldServiceGlobal {
  readonly api: OfflineWebApi;
  readonly sync: AppSync;
  readonly serviceWorker: Promise<ServiceWorkerClient | null>;
  /** Write requests this tab sent to the server (the diagnostics screen shows it too). */
  readonly tabWrites: () => number;
}

/** Set by the build (true) and the dev server (false): the worker only makes sense on built files. */
declare const __REGISTER_SERVICE_WORKER__: boolean;

declare global {
  interface Window {
    fieldService?: FieldServiceGlobal;
  }
}

const TITLES: Readonly<Record<Route["view"], string>> = {
  work: "Your work",
  case: "Case",
  "new-case": "New case",
  errors: "Sync errors",
  diagnostics: "Diagnostics",
};

function start(): void {
  const endpoints = endpointsFor(location.origin);
  const counter = countingFetch(globalThis.fetch.bind(globalThis));
  // `?sync=worker`: the sync engine runs in a dedicated worker; the page only reads and writes.
  const params = new URLSearchParams(location.search);
  const inWorker = params.get("sync") === "worker" && typeof Worker === "function";
  const uploadChunkBytes = uploadChunkBytesFrom(params);
  const api = createWebApi({
    metadata: bundledMetadata(),
    serverUrl: endpoints.serverUrl,
    databaseName: endpoints.databaseName,
    offlineTables: OFFLINE_TABLES,
    fetch: counter.fetch,
    sync: {
      ...(inWorker ? { autoStart: false } : {}),
      ...(uploadChunkBytes !== undefined ? { uploadChunkBytes } : {}),
    },
  });
  installXrmWebApi(api);
  const sync = inWorker ? workerSync() : pageSync(api);
  document.body.dataset.syncMode = sync.mode;
  // Ask the browser to keep the data (an outbox must not be evicted under storage pressure).
  void api.storage.persist();

  const serviceWorker: Promise<ServiceWorkerClient | null> = __REGISTER_SERVICE_WORKER__
    ? registerServiceWorker().catch(() => null)
    : Promise.resolve(null);
  window.fieldService = { api, sync, serviceWorker, tabWrites: counter.writes };

  const lastSynced = lastSyncedMemory(endpoints.databaseName, globalThis.localStorage);
  const statusRoot = h("div", {
    class: "status",
    "data-testid": "status-bar",
    role: "region",
    "aria-label": "Sync status",
  });
  const main = h("main", { "data-testid": "view", id: "main", tabindex: -1 });
  const menu = h(
    "details",
    { class: "menu", "data-testid": "menu" },
    h("summary", { "data-testid": "menu-button" }, "Menu"),
    h(
      "nav",
      { "aria-label": "More" },
      h("a", { href: "#/", class: "tap" }, "Your work"),
      h("a", { href: "#/errors", class: "tap" }, "Sync errors"),
      h("a", { href: "#/diagnostics", class: "tap", "data-testid": "menu-diagnostics" }, "Diagnostics"),
    ),
  );
  mount(
    document.body,
    h("a", { href: "#main", class: "skip-link" }, "Skip to content"),
    h("header", { class: "brand" }, h("a", { href: "#/", class: "tap" }, "Field Service"), menu),
    statusRoot,
    main,
  );
  const statusBar = renderStatusBar(statusRoot, {
    sync,
    lastSynced,
    pendingCount: () => api.sync.pendingCount(),
  });
  const onSaved = () => statusBar.noteLocalWrite();

  // The first download: shown until a sync has ever finished on this device.
  let firstSyncDone = lastSynced.read() !== null;
  const tracker = firstSyncTracker(Object.keys(OFFLINE_TABLES));
  const firstSync = firstSyncCard();
  let tableRows: readonly TableProgress[] = [];

  let route: Route = parseRoute(location.hash);
  let latest: SyncStatus | undefined;
  // The rows the work list shows, kept while the technician stays on it (redraws after a sync
  // show as many again); a new visit starts from one page.
  let workView = freshWorkListView();
  let rendering = Promise.resolve();
  const render = () => {
    rendering = rendering.then(async () => {
      main.dataset.view = route.view;
      main.dataset.loading = "true";
      document.title = `${TITLES[route.view]} · Field Service`;
      menu.open = false;
      if (route.view === "work")
        await renderWorkList(main, api, workView, firstSyncDone ? undefined : firstSync.el);
      else if (route.view === "case")
        await renderCaseDetail(main, api, route.id, endpoints.databaseName, onSaved);
      else if (route.view === "new-case")
        await renderNewCase(main, api, (hash) => (location.hash = hash), onSaved);
      else if (route.view === "errors") await renderSyncErrors(main, sync, api);
      else
        await renderDiagnostics(main, {
          sync,
          databaseName: endpoints.databaseName,
          tables: Object.keys(OFFLINE_TABLES),
          status: () => latest,
          lastSyncedAt: () => lastSynced.read(),
          tabWrites: counter.writes,
        });
      main.dataset.loading = "false";
      document.body.dataset.ready = "true";
    });
  };
  // A list redrawn after its data changed: only while it is still the screen shown.
  const redraw = listRedraw(render, () => route.view, 150);
  window.addEventListener("hashchange", () => {
    route = parseRoute(location.hash);
    redraw.cancel();
    workView = freshWorkListView();
    render();
    main.focus({ preventScroll: true });
  });
  render();

  // Lists follow the data: re-read them when a sync cycle ends, the counts change or a table's
  // first download finishes. Forms are left alone (a refresh would throw away what is being typed).
  sync.status$.subscribe((status) => {
    statusBar.update(status);
    const last = latest;
    latest = status;
    let tableFinished = false;
    if (!firstSyncDone) {
      const before = tableRows.filter((r) => r.state === "done").length;
      tableRows = tracker.update(status);
      firstSync.show(tableRows);
      tableFinished = tableRows.filter((r) => r.state === "done").length > before;
      if (status.lastSyncedAt) firstSyncDone = true;
    }
    const changed =
      !last ||
      tableFinished ||
      last.pending !== status.pending ||
      last.failed !== status.failed ||
      last.lastSyncedAt !== status.lastSyncedAt ||
      (last.phase !== "idle" && status.phase === "idle");
    if (changed && status.pending > 0 && (!last || status.pending > last.pending)) {
      void serviceWorker.then((sw) => sw?.requestReplay());
    }
    // Parts of a screen that show where changes stand (a case's photos, with the bytes sent)
    // follow every status.
    if (
      !last ||
      last.pending !== status.pending ||
      last.phase !== status.phase ||
      last.failed !== status.failed ||
      uploadsChanged(last.uploads, status.uploads)
    )
      for (const el of Array.from(main.querySelectorAll("[data-follows-sync]")))
        el.dispatchEvent(new CustomEvent("syncstatus", { detail: status }));
    // The errors screen only when the failures change: redrawing it on every cycle would close an
    // opened "Details" under the user's finger.
    const failuresChanged = !last || last.failed !== status.failed;
    if ((changed && route.view === "work") || (failuresChanged && route.view === "errors"))
      redraw.request(route.view);
  });
  // Closing the tab with changes waiting: make sure the service worker replays them later.
  window.addEventListener("pagehide", () => {
    if (latest && latest.pending > 0) void serviceWorker.then((sw) => sw?.requestReplay());
  });
}

start();
