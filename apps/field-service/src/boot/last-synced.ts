/**
 * "Last synced" kept across reloads. The engine's `status$.lastSyncedAt` starts at null in every
 * new page, so the app remembers the latest time it saw, per database, in localStorage.
 */
export interface LastSyncedMemory {
  /** The stored time (ISO), or null. */
  read(): string | null;
  /** Keep `iso` when it is later than what is stored; returns the later of the two. */
  remember(iso: string | null): string | null;
}

/** The later of two ISO times (null and unparseable values lose). */
export function laterOf(a: string | null, b: string | null): string | null {
  const ta = a === null ? Number.NaN : Date.parse(a);
  const tb = b === null ? Number.NaN : Date.parse(b);
  if (Number.isNaN(ta)) return Number.isNaN(tb) ? null : b;
  if (Number.isNaN(tb)) return a;
  return tb > ta ? b : a;
}

export function lastSyncedMemory(databaseName: string, storage: Storage | undefined): LastSyncedMemory {
  const key = `${databaseName}:lastSyncedAt`;
  const read = (): string | null => {
    try {
      return laterOf(storage?.getItem(key) ?? null, null);
    } catch {
      // Storage disabled (privacy settings): the time is then only known for this page.
      return null;
    }
  };
  return {
    read,
    remember(iso) {
      const stored = read();
      const later = laterOf(stored, iso);
      if (later !== null && later !== stored) {
        try {
          storage?.setItem(key, later);
        } catch {
          // Quota or disabled storage: keep going with the in-page value.
        }
      }
      return later;
    },
  };
}
