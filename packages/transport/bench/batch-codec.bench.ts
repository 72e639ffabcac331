// `pnpm bench transport`: cost of the $batch codec at Dataverse's 1000-request limit, and of the
// transport over loopback HTTP (a local node:http server with canned answers, so the figures are
// the client's overhead, not a server's).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { peakMemoryMB, report } from "../../../scripts/bench-report.ts";
import { type BatchPart, createTransport, decodeBatchResponse, encodeBatch } from "../src/index.ts";

const SUITE = "transport ($batch codec, loopback HTTP)";
const ROOT = "http://127.0.0.1:1/api/data/v9.2/";

function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** 100 change sets of 10 creates, ~10 columns each: a realistic full outbox round. */
function parts(): BatchPart[] {
  return Array.from({ length: 100 }, (_, i) => ({
    kind: "changeset" as const,
    requests: Array.from({ length: 10 }, (_, j) => ({
      method: "POST" as const,
      url: "tasks",
      headers: {},
      body: {
        activityid: guid(i * 10 + j),
        subject: `Inspect unit ${i}-${j} — façade`,
        description: "x".repeat(200),
        scheduledend: "2025-06-01T12:00:00Z",
        prioritycode: 1,
        actualdurationminutes: 30,
        "regardingobjectid_account_task@odata.bind": `/accounts(${guid(5000 + i)})`,
      },
    })),
  }));
}

function answer(layoutCount: number): string {
  const out: string[] = [];
  for (let i = 0; i < layoutCount; i += 1) {
    out.push("--batchresponse_b", "Content-Type: multipart/mixed; boundary=changesetresponse_c", "");
    for (let j = 0; j < 10; j += 1) {
      out.push(
        "--changesetresponse_c",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        `Content-ID: ${i * 10 + j + 1}`,
        "",
        "HTTP/1.1 204 No Content",
        "OData-Version: 4.0",
        `Location: ${ROOT}tasks(${guid(i * 10 + j)})`,
        `OData-EntityId: ${ROOT}tasks(${guid(i * 10 + j)})`,
        "",
      );
    }
    out.push("--changesetresponse_c--");
  }
  out.push("--batchresponse_b--", "");
  return out.join("\r\n");
}

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function medianAsync(fn: () => Promise<void>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const input = parts();
const response = answer(100);
for (let w = 0; w < 5; w += 1) encodeBatch(input, { serviceRoot: ROOT });
const encoded = encodeBatch(input, { serviceRoot: ROOT });
const headers = { "content-type": "multipart/mixed; boundary=batchresponse_b" };

report({
  suite: SUITE,
  name: "encodeBatch, 1000 creates (100 change sets)",
  value: median(() => encodeBatch(input, { serviceRoot: ROOT }), 30),
  unit: "ms",
  note: `median of 30; body ${(encoded.body.length / 1024).toFixed(0)} KB`,
});
report({
  suite: SUITE,
  name: "decodeBatchResponse, 1000 answers",
  value: median(() => decodeBatchResponse(encoded, { status: 200, headers, body: response }), 30),
  unit: "ms",
  note: "median of 30",
});
const { peakMB } = await peakMemoryMB(() => {
  const e = encodeBatch(input, { serviceRoot: ROOT });
  return decodeBatchResponse(e, { status: 200, headers, body: response });
});
report({
  suite: SUITE,
  name: "encode + decode 1000, peak memory",
  value: Number(peakMB.toFixed(1)),
  unit: "MB",
});

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url?.endsWith("$batch")) {
      res.writeHead(200, headers);
      res.end(response);
    } else {
      res.writeHead(204, { "OData-EntityId": `${ROOT}tasks(${guid(1)})` });
      res.end();
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
const transport = createTransport({
  serverUrl: `http://127.0.0.1:${port}/api/data/v9.2`,
  getAccessToken: () => "t",
});

report({
  suite: SUITE,
  name: "sendBatch 1000 creates over loopback",
  value: await medianAsync(async () => {
    await transport.sendBatch(input);
  }, 10),
  unit: "ms",
  note: "median of 10",
});
const requests = input.flatMap((p) => (p.kind === "changeset" ? p.requests : [p.request]));
report({
  suite: SUITE,
  name: "1000 sequential send() over loopback",
  value: await medianAsync(async () => {
    for (const request of requests) await transport.send(request);
  }, 3),
  unit: "ms",
  note: "median of 3; for comparison with one $batch",
});
server.closeAllConnections();
server.close();
