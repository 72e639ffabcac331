/// <reference types="xrm" />
import { XrmError } from "@xrm-offline/odata";

/**
 * What every Xrm.WebApi method returns: a real Promise (so `await` and `.then(success, error)`
 * work) that also satisfies @types/xrm's `Xrm.Async.PromiseLike` — which adds the undocumented
 * jQuery-era `fail` and `always` old form scripts still call. `L` is the value type @types/xrm
 * declares when it differs from the documented one (deleteRecord, retrieveMultipleRecords).
 */
export type XrmPromise<T, L = T> = Promise<T> & Xrm.Async.PromiseLike<L>;

/**
 * The prototype of the promises Xrm methods return: Promise.prototype plus the legacy `fail`
 * (like `catch`) and `always` (like `finally`). A native promise re-parented onto it stays a real
 * Promise (`instanceof Promise`, `await` fast path) at no cost, where a Promise subclass costs
 * about 2 µs per call. Promises chained from it (`.then(…)`) are plain promises, as in Unified
 * Interface, where `fail`/`always` don't exist at all.
 */
const XRM_PROMISE_PROTOTYPE: object = Object.create(Promise.prototype, {
  fail: {
    value: function fail(this: Promise<unknown>, onRejected?: (reason: Xrm.ErrorResponse) => unknown) {
      return this.then(undefined, onRejected);
    },
  },
  always: {
    value: function always(this: Promise<unknown>, callback: () => unknown) {
      return this.finally(callback);
    },
  },
});

/** Turns anything thrown into an XrmError (`{ errorCode, message }`, also an Error). */
export function toXrmError(error: unknown): XrmError {
  return error instanceof XrmError ? error : XrmError.from(error);
}

/**
 * Runs `work` and returns its result as an XrmPromise. A synchronous throw becomes a rejection
 * (Xrm callers expect the error callback, never an exception), and every rejection is an XrmError.
 */
export function xrmPromise<T, L = T>(work: () => T | PromiseLike<T>): XrmPromise<T, L> {
  const p = new Promise<T>((resolve, reject) => {
    try {
      const value = work();
      if (
        value !== null &&
        typeof value === "object" &&
        typeof (value as PromiseLike<T>).then === "function"
      ) {
        (value as PromiseLike<T>).then(resolve, (e: unknown) => reject(toXrmError(e)));
      } else {
        resolve(value as T);
      }
    } catch (e) {
      reject(toXrmError(e));
    }
  });
  Object.setPrototypeOf(p, XRM_PROMISE_PROTOTYPE);
  return p as unknown as XrmPromise<T, L>;
}

/**
 * Gives a promise that already rejects only with XrmErrors the Xrm promise prototype, without
 * wrapping it in another promise (the hot path of a write: one promise per call).
 */
export function asXrmPromise<T, L = T>(promise: Promise<T>): XrmPromise<T, L> {
  Object.setPrototypeOf(promise, XRM_PROMISE_PROTOTYPE);
  return promise as unknown as XrmPromise<T, L>;
}

/** A rejected Xrm promise with `error` as an XrmError. */
export function rejectedXrmPromise<T, L = T>(error: unknown): XrmPromise<T, L> {
  return asXrmPromise<T, L>(Promise.reject(toXrmError(error)));
}
