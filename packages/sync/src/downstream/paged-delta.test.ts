// Answers the emulator never gives: a delta answer in pages, garbled answers, a table without
// change tracking. A scripted remote and an in-memory store.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { xrmError } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { createPuller } from "./create-puller.ts";
import { normalizeOfflineTables } from "./offline-profile.ts";
import type { PullRemote, PullStore } from "./pull-ports.ts";

/** InvalidArgument (0x80040203): a bad option. */
const INVALID = expect.objectContaining({ errorCode: 0x80040203 });

const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const ROOT = "https://org.example/api/data/v9.2/";

/** Rows by id (one table), checkpoints; every write counted. */
class MemoryStore implements PullStore {
  readonly rows = new Map<string, Record<string, unknown>>();
  readonly checkpoints = new Map<string, unknown>();
  applies = 0;
  async applyServerRows(
    _entity: string,
    rows: readonly Readonly<Record<string, unknown>>[],
    options: { checkpoint?: { key: string; value: unknown }; removedIds?: readonly string[] } = {},
  ) {
    this.applies++;
    for (const r of rows) this.rows.set(String(r.accountid), { ...r });
    let removed = 0;
    for (const id of options.removedIds ?? []) if (this.rows.delete(id)) removed++;
    if (options.checkpoint)
      this.checkpoints.set(options.checkpoint.key, structuredClone(options.checkpoint.value));
    return { applied: rows.length, removed, keptWithLocalChanges: 0 };
  }
  async getCheckpoint(key: string) {
    return this.checkpoints.get(key);
  }
  async setCheckpoint(key: string, value: unknown) {
    this.checkpoints.set(key, structuredClone(value));
  }
  async recordIds() {
    return [...this.rows.keys()];
  }
  async lookupIds() {
    return [];
  }
}

/** Answers by URL (relative to the root); records what was asked. */
function scripted(answers: [string, unknown | (() => unknown)][]): PullRemote & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async get(url) {
      asked.push(url);
      const relative = url.replace(ROOT, "").replace(/^\/api\/data\/v9\.2\//, "");
      const hit = answers.find(([exact]) => relative === exact);
      if (!hit) throw new Error(`unexpected request ${url}`);
      const answer = hit[1];
      return typeof answer === "function" ? (answer as () => unknown)() : answer;
    },
  };
}

const profile = normalizeOfflineTables(["account"], bundledMetadata());

describe("pull: answers the emulator never gives", () => {
  it("follows a delta answered in pages, saving each page's position, and resumes mid-delta", async () => {
    const store = new MemoryStore();
    store.rows.set(ID(1), { accountid: ID(1), name: "one" });
    store.rows.set(ID(2), { accountid: ID(2), name: "two" });
    store.checkpoints.set("pull:account", {
      v: 1,
      scope: "all",
      phase: "delta",
      link: "accounts?$deltatoken=1",
      token: null,
      sweep: false,
      kind: null,
      done: 0,
      total: null,
    });
    let page2Fails = true;
    const remote = scripted([
      [
        "accounts?$deltatoken=1",
        {
          value: [{ accountid: ID(1), name: "ONE" }],
          "@odata.nextLink": `${ROOT}accounts?$deltatoken=1&$skiptoken=p2`,
        },
      ],
      [
        "accounts?$deltatoken=1&$skiptoken=p2",
        () => {
          if (page2Fails) throw xrmError("UnexpectedError", "boom");
          return {
            value: [
              { "@odata.context": `${ROOT}$metadata#accounts/$deletedEntity`, id: ID(2), reason: "deleted" },
            ],
            "@odata.deltaLink": `${ROOT}accounts?$deltatoken=2`,
          };
        },
      ],
    ]);
    const puller = createPuller({ store, remote, profile });
    await expect(puller.pull()).rejects.toThrow("boom");
    expect(store.rows.get(ID(1))?.name).toBe("ONE");
    expect(store.checkpoints.get("pull:account")).toMatchObject({
      phase: "delta",
      link: "/api/data/v9.2/accounts?$deltatoken=1&$skiptoken=p2",
    });

    page2Fails = false;
    remote.asked.length = 0;
    const report = await puller.pull();
    expect(remote.asked).toEqual(["/api/data/v9.2/accounts?$deltatoken=1&$skiptoken=p2"]);
    expect(report.tables[0]).toMatchObject({ kind: "delta", rows: 0, removed: 1 });
    expect([...store.rows.keys()]).toEqual([ID(1)]);
    expect(store.checkpoints.get("pull:account")).toMatchObject({
      link: "/api/data/v9.2/accounts?$deltatoken=2",
    });
  });

  it("fails the table clearly when the server gives no delta link (change tracking off)", async () => {
    const store = new MemoryStore();
    const remote = scripted([
      ["accounts?$select=accountid&$count=true", { value: [], "@odata.count": 1 }],
      ["accounts", { value: [{ accountid: ID(1), name: "one" }] }],
    ]);
    await expect(createPuller({ store, remote, profile }).pull()).rejects.toMatchObject({
      errorCode: 0x80040216,
    }); // UnexpectedError
    // Nothing was written without its checkpoint: the rows are fetched again next time.
    expect(store.rows.size).toBe(0);
  });

  it("fails the table on a garbled answer, writing nothing", async () => {
    const store = new MemoryStore();
    for (const body of [
      "<html>oops</html>",
      { value: [{ name: "no key" }] },
      { value: [], "@odata.nextLink": 42 },
    ]) {
      const remote = scripted([
        ["accounts?$select=accountid&$count=true", { value: [] }],
        ["accounts", body],
      ]);
      await expect(createPuller({ store, remote, profile }).pull()).rejects.toThrow(
        /not a valid OData collection/,
      );
    }
    expect(store.rows.size).toBe(0);
    expect(store.applies).toBe(0);
  });

  it("stops a server that links back to the same page", async () => {
    const store = new MemoryStore();
    const remote = scripted([
      ["accounts?$select=accountid&$count=true", { value: [] }],
      ["accounts", { value: [{ accountid: ID(1) }], "@odata.nextLink": `${ROOT}accounts?$skiptoken=same` }],
      [
        "accounts?$skiptoken=same",
        { value: [{ accountid: ID(2) }], "@odata.nextLink": `${ROOT}accounts?$skiptoken=same` },
      ],
    ]);
    await expect(createPuller({ store, remote, profile }).pull()).rejects.toThrow(
      /links back to the same page/,
    );
    expect(remote.asked.length).toBe(3);
  });

  it("refuses bad options", () => {
    const store = new MemoryStore();
    const remote = scripted([]);
    expect(() => createPuller({ store, remote, profile, pageSize: 0 })).toThrow(INVALID);
    expect(() => createPuller({ store, remote, profile, pageSize: 5001 })).toThrow(INVALID);
    expect(() => createPuller({ store, remote, profile, idChunk: 1.5 })).toThrow(INVALID);
  });
});
