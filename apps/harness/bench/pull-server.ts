// The emulator of the pull benchmark, in its own thread (as a server would be on its own machine):
// seeds the rows, then answers "change" and "close" messages. Not a benchmark file itself.
import { parentPort, workerData } from "node:worker_threads";
import { startEmulator } from "@xrm-offline/emulator";

export const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

if (parentPort) {
  const port = parentPort;
  const rows = (workerData as { rows: number }).rows;
  const emulator = await startEmulator({ database: ":memory:" });
  for (let i = 0; i < rows; i += 5000) {
    emulator.seed(
      "accounts",
      Array.from({ length: Math.min(5000, rows - i) }, (_, j) => ({
        accountid: guid(i + j + 1),
        name: `Account ${i + j + 1}`,
        telephone1: `555-${String((i + j) % 10000).padStart(4, "0")}`,
        address1_city: ["Lisbon", "Porto", "Faro", "Braga"][(i + j) % 4],
        revenue: (i + j) * 10,
        accountcategorycode: ((i + j) % 2) + 1,
      })),
    );
  }
  port.on("message", async (message: { type: "change" | "close" }) => {
    if (message.type === "close") {
      await emulator.close();
      port.close();
      return;
    }
    // 100 changes: 80 updates spread over the table, 10 deletes, 10 creates.
    for (let k = 0; k < 80; k++) {
      const res = emulator.handle({
        method: "PATCH",
        path: `accounts(${guid(1 + k * Math.floor(rows / 80))})`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `changed ${k}` }),
      });
      if (res.status !== 204) throw new Error(`PATCH answered ${res.status}`);
    }
    for (let k = 0; k < 10; k++) emulator.handle({ method: "DELETE", path: `accounts(${guid(rows - k)})` });
    emulator.seed(
      "accounts",
      Array.from({ length: 10 }, (_, k) => ({ accountid: guid(rows + k + 1), name: `new ${k}` })),
    );
    port.postMessage({ type: "changed" });
  });
  port.postMessage({ type: "ready", url: emulator.url });
}
