/// <reference types="xrm" />
import { XrmError } from "@xrm-offline/odata";

/**
 * What every Xrm.WebApi method returns: a real Promise (so `await` and `.then(success, error)`
 * work) that also satisfies @types/xrm's `Xrm.Async.PromiseLike` — which adds the undocumented
 * jQuery-era `fail` and `always` old form scripts still call. `L` is the value type @types/xrm
 * declares when it differs from the documented one (deleteRecord, retrieveMultipleRecords).
 */
export type XrmPromise<T, L = T> = Promise<T> & Xrm.Async.PromiseLike<L>;

/** A Promise subclass: `then`/`catch`/`finally` return it too, so `fail`/`always` chain. */
class XrmPromiseImpl<T> extends Promise<T> {
  /** Like `catch`: runs on rejection with the `{ errorCode, message }` error. */
  fail<U>(onRejected?: (reason: Xrm.ErrorResponse) => U | PromiseLike<U>): Promise<T | U> {
    return this.then(undefined, onRejected);
  }
  /** Like `finally`. */
  always<U>(callback: () => U | PromiseLike<U>): Promise<T> {
    return this.finally(callback);
  }
}

/** Turns anything thrown into an XrmError (`{ errorCode, message }`, also an Error). */
export function toXrmError(error: unknown): XrmError {
  return error instanceof XrmError ? error : XrmError.from(error);
}

/**
 * Runs `work` and returns its result as an XrmPromise. A synchronous throw becomes a rejection
 * (Xrm callers expect the error callback, never an exception), and every rejection is an XrmError.
 */
export function xrmPromise<T, L = T>(work: () => T | PromiseLike<T>): XrmPromise<T, L> {
  const p = new XrmPromiseImpl<T>((resolve, reject) => {
    try {
      Promise.resolve(work()).then(resolve, (e: unknown) => reject(toXrmError(e)));
    } catch (e) {
      reject(toXrmError(e));
    }
  });
  return p as unknown as XrmPromise<T, L>;
}
