import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { client } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "emulator-persist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite file database", () => {
  it("keeps rows, row versions and delta tokens across restarts", async () => {
    const database = join(dir, "nested", "data.sqlite");
    const first = await startEmulator({ database });
    const api = client(first);
    const res = await api.post("accounts", {
      accountid: "eeeeeeee-0000-0000-0000-000000000001",
      name: "durable",
    });
    expect(res.status).toBe(204);
    const tracked = await api.get("accounts?$select=name", { Prefer: "odata.track-changes" });
    const deltaLink = (tracked.json["@odata.deltaLink"] as string).replace(first.origin, "");
    const version = first.store.get("account", "eeeeeeee-0000-0000-0000-000000000001")!.version;
    await first.close();

    const second = await startEmulator({ database });
    const api2 = client(second);
    expect(second.row("account", "eeeeeeee-0000-0000-0000-000000000001")).toMatchObject({ name: "durable" });
    const upd = await api2.patch("accounts(eeeeeeee-0000-0000-0000-000000000001)", { name: "changed" });
    expect(upd.status).toBe(204);
    expect(second.store.get("account", "eeeeeeee-0000-0000-0000-000000000001")!.version).toBeGreaterThan(
      version,
    );
    const delta = await api2.get(`${second.origin}${deltaLink}`);
    expect(delta.status).toBe(200);
    expect(delta.json.value!.map((v) => v.name)).toEqual(["changed"]);
    await second.close();
  });
});
