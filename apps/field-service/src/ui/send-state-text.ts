import type { SendState } from "./inspect-store.ts";

/**
 * What a technician reads next to a photo or signature: where it stands on its way to the office.
 * `percent` is the share of its bytes the server has acknowledged, when `status$.uploads` lists it
 * (ui/upload-progress.ts); shown whole, rounded down, so 100% only once every byte is acknowledged.
 */
export function sendStateText(state: SendState, percent?: number): string {
  switch (state) {
    case "waiting":
      return "Waiting to send";
    case "sending":
      return percent === undefined
        ? "Sending…"
        : `Sending… ${Math.min(100, Math.max(0, Math.floor(percent)))}%`;
    case "failed":
      return "Not sent: see Sync errors";
    case "sent":
      return "Sent";
  }
}
