// The emulator of the upload benchmark, in its own process (as a server would be on its own
// machine, so the client's memory figures are the client's alone): prints its URL, then serves
// until killed. Not a benchmark file itself.
import { startEmulator } from "@xrm-offline/emulator";

const emulator = await startEmulator({
  database: ":memory:",
  // Room for the 50 MB file in one request and in the column.
  maxBodyBytes: 64 * 1024 * 1024,
  fileColumns: { incident: { new_report: { maxSizeInKB: 65_536 } } },
});
process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);
