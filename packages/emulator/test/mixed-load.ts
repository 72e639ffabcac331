/**
 * A mixed load on the emulator over HTTP: `clients` concurrent clients, each making its share of
 * `requests` one after another — creates, upserts, updates, reads by id, `startswith` queries and
 * deletes — and checking each status. Used by the load test (correctness) and the emulator bench
 * (requests per second).
 */

export interface MixedLoadResult {
  /** Unexpected statuses, `client <c> op <op>: <status>`; empty when all went as expected. */
  readonly errors: readonly string[];
  /** Requests answered, by status. */
  readonly statusCounts: ReadonlyMap<number, number>;
  /** Rows the clients left on the server (created − deleted). */
  readonly expectedRows: number;
  /** The same, from the ids each client still holds: must equal `expectedRows`. */
  readonly liveRows: number;
}

interface ClientTally {
  readonly created: number;
  readonly deleted: number;
  readonly live: number;
}

function guid(client: number, n: number): string {
  return `${client.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export async function runMixedLoad(url: string, clients: number, requests: number): Promise<MixedLoadResult> {
  const perClient = requests / clients;
  const errors: string[] = [];
  const statusCounts = new Map<number, number>();
  const json = { "Content-Type": "application/json", Accept: "application/json" };

  const runClient = async (c: number): Promise<ClientTally> => {
    const live: string[] = [];
    let next = 0;
    let created = 0;
    let deleted = 0;
    for (let j = 0; j < perClient; j++) {
      const op = j % 10;
      let res: Response;
      let expected: number;
      if (op <= 3 || live.length === 0) {
        const id = guid(c, next++);
        res = await fetch(`${url}/accounts`, {
          method: "POST",
          headers: json,
          body: JSON.stringify({ accountid: id, name: `c${c} #${j}`, revenue: j }),
        });
        expected = 204;
        live.push(id);
        created++;
      } else if (op <= 5) {
        const id = live[j % live.length]!;
        res = await fetch(`${url}/accounts(${id})`, {
          method: "PATCH",
          headers: { ...json, "If-Match": "*" },
          body: JSON.stringify({ revenue: j * 2 }),
        });
        expected = 204;
      } else if (op === 6) {
        res = await fetch(`${url}/accounts(${live[live.length - 1]})?$select=name,revenue`, {
          headers: json,
        });
        expected = 200;
      } else if (op === 7) {
        res = await fetch(
          `${url}/accounts?$select=name&$filter=${encodeURIComponent(`startswith(name,'c${c} ')`)}&$top=5`,
          { headers: json },
        );
        expected = 200;
      } else if (op === 8) {
        const id = live.shift()!;
        res = await fetch(`${url}/accounts(${id})`, { method: "DELETE", headers: json });
        expected = 204;
        deleted++;
      } else {
        const id = guid(c, next++);
        res = await fetch(`${url}/accounts(${id})`, {
          method: "PATCH",
          headers: json,
          body: JSON.stringify({ name: `upsert c${c} #${j}` }),
        });
        expected = 204;
        live.push(id);
        created++;
      }
      await res.arrayBuffer();
      statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
      if (res.status !== expected) errors.push(`client ${c} op ${op}: ${res.status}`);
    }
    return { created, deleted, live: live.length };
  };

  const results = await Promise.all(Array.from({ length: clients }, (_, c) => runClient(c)));
  return {
    errors,
    statusCounts,
    expectedRows: results.reduce((n, r) => n + r.created - r.deleted, 0),
    liveRows: results.reduce((n, r) => n + r.live, 0),
  };
}
