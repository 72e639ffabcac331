// (i) Plain Node, packed packages only: write offline into IndexedDB (fake-indexeddb), start the
// packed emulator through its `xrm-emulator` bin, come online and sync; assert exact results.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { createWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";

const emulator = spawn(
  process.execPath,
  ["node_modules/.bin/xrm-emulator", "--port", "0", "--database", ":memory:"],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const lines = createInterface({ input: emulator.stdout });
let url;
for await (const line of lines) {
  const m = /listening at (\S+)/.exec(line);
  if (m) {
    url = m[1];
    break;
  }
}
assert.ok(url, "the emulator printed its URL");

const online = new BehaviorSubject(false);
const api = createWebApi({
  serverUrl: url,
  metadata: bundledMetadata(),
  databaseName: "consumer-check",
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  connectivity: online,
  offlineTables: ["account", "contact"],
  sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 } },
});
try {
  const account = await api.createRecord("account", { name: "Packed Contoso", revenue: 1200.5 });
  const contact = await api.createRecord("contact", {
    firstname: "Ada",
    lastname: "Lovelace",
    "parentcustomerid_account@odata.bind": `/accounts(${account.id})`,
  });
  await api.updateRecord("account", account.id, { telephone1: "555-0100" });
  assert.equal(await api.sync.pendingCount(), 3);
  const local = await api.retrieveMultipleRecords("account", "?$select=name,telephone1");
  assert.deepEqual(
    local.entities.map((e) => [e.name, e.telephone1]),
    [["Packed Contoso", "555-0100"]],
  );

  online.next(true);
  const report = await api.sync.syncNow();
  assert.equal(report.pushed, 3);
  assert.equal(report.failed, 0);
  assert.equal(await api.sync.pendingCount(), 0);

  // What the server holds, read over HTTP as any client would.
  const res = await fetch(`${url}/accounts(${account.id})?$select=name,telephone1,revenue`);
  assert.equal(res.status, 200);
  const row = await res.json();
  assert.equal(row.name, "Packed Contoso");
  assert.equal(row.telephone1, "555-0100");
  assert.equal(row.revenue, 1200.5);
  const c = await (
    await fetch(`${url}/contacts(${contact.id})?$select=fullname,_parentcustomerid_value`)
  ).json();
  assert.equal(c._parentcustomerid_value, account.id);
  assert.equal(c.fullname, "Ada Lovelace");
  console.log("offline create → sync → server: ok");
} finally {
  await api.close();
  emulator.kill("SIGTERM");
  await once(emulator, "exit");
}
