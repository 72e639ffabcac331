/// <reference types="powerapps-component-framework" />
/**
 * A sample PCF control: lists accounts and creates them, with or without a network. It uses an
 * offline-capable `ComponentFramework.WebApi` from @xrm-offline/pcf instead of `context.webAPI`:
 * writes go to the device's database and a queue, and sync sends them when the network returns.
 */
import { createPcfWebApi, type OfflinePcfWebApi } from "@xrm-offline/pcf";
import type { IInputs, IOutputs } from "./generated/ManifestTypes";

interface Unsubscribable {
  unsubscribe(): void;
}

export class OfflineAccounts implements ComponentFramework.StandardControl<IInputs, IOutputs> {
  #api: OfflinePcfWebApi | undefined;
  #status: Unsubscribable | undefined;
  #heading: HTMLHeadingElement | undefined;
  #list: HTMLUListElement | undefined;
  #pending: HTMLOutputElement | undefined;
  #error: HTMLParagraphElement | undefined;

  init(
    context: ComponentFramework.Context<IInputs>,
    _notifyOutputChanged: () => void,
    _state: ComponentFramework.Dictionary,
    container: HTMLDivElement,
  ): void {
    // One API per control instance; inside the app it talks to the org on the same origin.
    const api = createPcfWebApi(context, { offlineTables: ["account"] });
    this.#api = api;

    const heading = document.createElement("h3");
    const form = document.createElement("form");
    const name = document.createElement("input");
    name.name = "name";
    name.required = true;
    name.placeholder = "Account name";
    const create = document.createElement("button");
    create.type = "submit";
    create.textContent = "Create";
    form.append(name, create);
    const status = document.createElement("p");
    const pending = document.createElement("output");
    const syncNow = document.createElement("button");
    syncNow.type = "button";
    syncNow.textContent = "Sync now";
    status.append("Waiting to sync: ", pending, " ", syncNow);
    const error = document.createElement("p");
    error.setAttribute("role", "alert");
    const list = document.createElement("ul");
    container.append(heading, form, status, error, list);
    this.#heading = heading;
    this.#list = list;
    this.#pending = pending;
    this.#error = error;

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      api
        .createRecord("account", { name: name.value })
        .then(() => {
          form.reset();
          return this.#refresh();
        })
        .catch((e: { errorCode?: number; message?: string }) => this.#showError(e));
    });
    syncNow.addEventListener("click", () => {
      api.sync.syncNow().catch((e: { errorCode?: number; message?: string }) => this.#showError(e));
    });
    // Refresh the list whenever a sync cycle ends (pulled rows) or the queue changes.
    let last = "";
    this.#status = api.sync.status$.subscribe((s) => {
      pending.value = String(s.pending);
      const key = `${s.phase}|${s.pending}|${s.lastSyncedAt ?? ""}`;
      if (s.phase === "idle" && key !== last) void this.#refresh();
      last = key;
    });
    this.updateView(context);
  }

  updateView(context: ComponentFramework.Context<IInputs>): void {
    if (this.#heading) this.#heading.textContent = context.parameters.heading?.raw ?? "Accounts";
    void this.#refresh();
  }

  getOutputs(): IOutputs {
    return {};
  }

  destroy(): void {
    this.#status?.unsubscribe();
    void this.#api?.close();
  }

  async #refresh(): Promise<void> {
    const api = this.#api;
    const list = this.#list;
    if (!api || !list) return;
    try {
      const page = await api.retrieveMultipleRecords("account", "?$select=name&$orderby=name", 50);
      list.replaceChildren(
        ...page.entities.map((account) => {
          const item = document.createElement("li");
          item.textContent = String(account.name ?? "");
          item.dataset.id = String(account.accountid ?? "");
          return item;
        }),
      );
    } catch (e) {
      this.#showError(e as { errorCode?: number; message?: string });
    }
  }

  #showError(e: { errorCode?: number; message?: string }): void {
    if (this.#error) this.#error.textContent = `${e.errorCode ?? ""} ${e.message ?? String(e)}`.trim();
  }
}
