/**
 * A `fetch` that counts the write requests this tab sends (POST, PATCH, PUT, DELETE; a $batch is
 * one). Shown in the status bar, it tells which tab replayed the shared outbox.
 */
export function countingFetch(inner: typeof fetch): { fetch: typeof fetch; writes: () => number } {
  let writes = 0;
  const counted: typeof fetch = (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method !== "GET" && method !== "HEAD") writes++;
    return inner(input, init);
  };
  return { fetch: counted, writes: () => writes };
}
