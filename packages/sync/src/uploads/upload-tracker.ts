import type { UploadTransfer } from "@xrm-offline/odata";
import { BehaviorSubject, type Observable } from "rxjs";

/**
 * The files under way, for `status$.uploads`: the uploader (file and image columns) and the push
 * of notes with their bodies report here; the engine shows the list in its status.
 */
export interface UploadTracker {
  readonly uploads$: Observable<readonly UploadTransfer[]>;
  /** Adds the transfer, or updates the one of the same record and column (keeps its place). */
  report(transfer: UploadTransfer): void;
  /** The transfer is over: uploaded, refused or put off. */
  end(transfer: Pick<UploadTransfer, "entity" | "recordId" | "column">): void;
}

const key = (t: Pick<UploadTransfer, "entity" | "recordId" | "column">) =>
  `${t.entity}|${t.recordId}|${t.column}`;

export function createUploadTracker(): UploadTracker {
  const transfers = new Map<string, UploadTransfer>();
  const subject = new BehaviorSubject<readonly UploadTransfer[]>([]);
  return {
    uploads$: subject.asObservable(),
    report(transfer) {
      transfers.set(key(transfer), transfer);
      subject.next([...transfers.values()]);
    },
    end(transfer) {
      if (transfers.delete(key(transfer))) subject.next([...transfers.values()]);
    },
  };
}
