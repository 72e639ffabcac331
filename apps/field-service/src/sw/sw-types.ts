/**
 * The service-worker globals this worker uses. TypeScript's WebWorker library cannot be loaded
 * next to the DOM library of the rest of the repository, so the few types needed are declared here.
 */
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

export interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

export interface SyncEventLike extends ExtendableEventLike {
  readonly tag: string;
  readonly lastChance: boolean;
}

export interface WindowClientLike {
  readonly id: string;
  readonly url: string;
  readonly visibilityState?: string;
}

export interface ServiceWorkerScopeLike {
  readonly location: Location;
  readonly clients: {
    matchAll(options: {
      type: "window";
      includeUncontrolled?: boolean;
    }): Promise<readonly WindowClientLike[]>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEventLike) => void): void;
  addEventListener(type: "sync", listener: (event: SyncEventLike) => void): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}
