/**
 * Wire compatibility with a client nobody here wrote: the `dynamics-web-api` npm package.
 */
import { DynamicsWebApi } from "dynamics-web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { withEmulator } from "./helpers.ts";

let emu: Emulator;
let dwa: DynamicsWebApi;
let tokenCalls = 0;
beforeAll(async () => {
  ({ emu } = await withEmulator({ accessToken: "dwa-token" }));
  dwa = new DynamicsWebApi({
    serverUrl: `${emu.origin}/`,
    dataApi: { version: "9.2" },
    onTokenRefresh: async () => {
      tokenCalls++;
      return { accessToken: "dwa-token" };
    },
  });
});
afterAll(() => emu.close());

describe("dynamics-web-api against the emulator", () => {
  it("creates (204 + OData-EntityId) and with return=representation", async () => {
    const id: unknown = await dwa.create({
      collection: "accounts",
      data: { name: "DWA account", revenue: 1000 },
    });
    expect(typeof id).toBe("string");
    expect(emu.row("account", id as string)).toMatchObject({ name: "DWA account", revenue: 1000 });
    const rep = await dwa.create<Record<string, unknown>, Record<string, unknown>>({
      collection: "contacts",
      data: { firstname: "Dee", lastname: "Wa" },
      returnRepresentation: true,
      select: ["fullname"],
    });
    expect(rep.fullname).toBe("Dee Wa");
    expect(rep["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(tokenCalls).toBeGreaterThan(0);
  });

  it("updates with If-Match: a current etag succeeds, a stale one returns false, a missing row throws 404", async () => {
    const id = (await dwa.create<unknown, unknown>({
      collection: "accounts",
      data: { name: "v1" },
    })) as string;
    const read = await dwa.retrieve<Record<string, unknown>>({
      collection: "accounts",
      key: id,
      select: ["name"],
    });
    expect(read.name).toBe("v1");
    const etag = read["@odata.etag"] as string;
    expect(await dwa.update({ collection: "accounts", key: id, data: { name: "v2" }, ifmatch: etag })).toBe(
      true,
    );
    expect(emu.row("account", id)!.name).toBe("v2");
    expect(await dwa.update({ collection: "accounts", key: id, data: { name: "v3" }, ifmatch: etag })).toBe(
      false,
    );
    expect(emu.row("account", id)!.name).toBe("v2");
    const missing = "dddddddd-0000-0000-0000-000000000001";
    const err = (await dwa
      .update({ collection: "accounts", key: missing, data: { name: "x" } })
      .catch((e: unknown) => e)) as {
      status: number;
      code: string;
    };
    expect(err.status).toBe(404);
    expect(err.code).toBe("0x80040217");
    expect(emu.row("account", missing)).toBeUndefined();
    // upsert (no If-Match) creates it.
    await dwa.upsert({ collection: "accounts", key: missing, data: { name: "upserted" } });
    expect(emu.row("account", missing)!.name).toBe("upserted");
  });

  it("retrieves with annotations and queries with paging", async () => {
    emu.clear();
    const [contact] = emu.seed("contact", [{ firstname: "Prim", lastname: "Ary" }]);
    emu.seed(
      "account",
      Array.from({ length: 23 }, (_, i) => ({
        name: `Paged ${String(i).padStart(2, "0")}`,
        "primarycontactid@odata.bind": `/contacts(${contact})`,
      })),
    );
    const page = await dwa.retrieveMultiple<Record<string, unknown>>({
      collection: "accounts",
      select: ["name", "_primarycontactid_value"],
      filter: "startswith(name,'Paged')",
      orderBy: ["name desc"],
      maxPageSize: 10,
      includeAnnotations: "*",
    });
    expect(page.value.length).toBe(10);
    expect(page.value[0]!.name).toBe("Paged 22");
    expect(page.value[0]!._primarycontactid_value_Formatted).toBe("Prim Ary");
    expect(page.value[0]!._primarycontactid_value_LogicalName).toBe("contact");
    expect(page.oDataNextLink).toContain("$skiptoken=");
    const second = await dwa.retrieveMultiple<Record<string, unknown>>(
      { collection: "accounts", maxPageSize: 10 },
      page.oDataNextLink,
    );
    expect(second.value[0]!.name).toBe("Paged 12");
    const all = await dwa.retrieveAll<Record<string, unknown>>({
      collection: "accounts",
      select: ["name"],
      maxPageSize: 5,
    });
    expect(all.value.length).toBe(23);
    expect(new Set(all.value.map((v) => v.accountid)).size).toBe(23);
    expect(await dwa.count({ collection: "accounts" })).toBe(23);
  });

  it("runs a $batch with a change set and Content-ID references", async () => {
    emu.clear();
    dwa.startBatch();
    dwa.create({ collection: "contacts", data: { firstname: "John", lastname: "Doe" }, contentId: "1" });
    dwa.create({
      collection: "accounts",
      data: { name: "Batch account", "primarycontactid@odata.bind": "$1" },
    });
    dwa.create({ collection: "tasks", data: { subject: "Batch task" } });
    const responses = await dwa.executeBatch();
    expect(responses.length).toBe(3);
    const [contactId, accountId, taskId] = responses as string[];
    expect(emu.row("contact", contactId!)).toMatchObject({ fullname: "John Doe" });
    expect(emu.row("account", accountId!)).toMatchObject({
      name: "Batch account",
      _primarycontactid_value: contactId,
    });
    expect(emu.row("task", taskId!)!.subject).toBe("Batch task");
    const batchRequest = emu.requestLog.entries((e) => e.path === "$batch").at(-1)!;
    expect(batchRequest.body).toContain("--changeset_");

    // A failing operation rolls back the whole change set; DWA surfaces the error.
    dwa.startBatch();
    dwa.create({ collection: "tasks", data: { subject: "rolled back" } });
    dwa.create({ collection: "tasks", data: { subject: "bad", nosuchcolumn: 1 } });
    const failure = (await dwa.executeBatch().catch((e: unknown) => e)) as unknown;
    const errors = Array.isArray(failure) ? failure : [failure];
    expect(errors.some((e) => (e as { status?: number }).status === 400)).toBe(true);
    expect(emu.rows("task").map((t) => t.subject)).toEqual(["Batch task"]);

    // GETs outside the change set come back too.
    dwa.startBatch();
    dwa.retrieveMultiple({ collection: "tasks", select: ["subject"] });
    dwa.update({ collection: "tasks", key: taskId!, data: { subject: "renamed" } });
    const mixed = await dwa.executeBatch();
    expect((mixed[0] as { value: { subject: string }[] }).value.map((v) => v.subject)).toEqual([
      "Batch task",
    ]);
    expect(emu.row("task", taskId!)!.subject).toBe("renamed");
  });
});
