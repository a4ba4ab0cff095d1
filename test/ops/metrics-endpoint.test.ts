// serveMetrics scraped by a real Prometheus (Debian's, exemplar storage on): a generated
// server in a process of its own serves prom-client's global register twice, as it comes
// and with OpenMetrics off; calls with known trace ids go through a generated client in
// this process. Prometheus ingests the same counts from both endpoints, and shows the
// calls' trace ids as exemplars for the one that answers its OpenMetrics Accept.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata, credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestServiceClient } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { repoRoot } from "../support/paths.js";
import { pollUntil } from "../support/poll.js";
import { startProcess } from "../support/processes.js";
import type { Started } from "../support/processes.js";
import { instantQuery } from "../support/prometheus-api.js";
import { PROMETHEUS, startPrometheus } from "./support/live-prometheus.js";

const CALLS = 5;
const METHOD = '{grpc_service="tsotel.testing.v1.TestService",grpc_method="Unary"}';
/** One trace id per call, sampled: the server's spans continue them. */
const TRACE_IDS = Array.from({ length: CALLS }, (_, i) => `4bf92f3577b34da6a3ce929d0e0e47${String(10 + i)}`);

interface ExemplarSeries {
  readonly seriesLabels: Readonly<Record<string, string>>;
  readonly exemplars: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: string }[];
}

/** `/api/v1/query_exemplars` over the last ten minutes. */
async function queryExemplars(baseUrl: string, query: string): Promise<ExemplarSeries[]> {
  const url = new URL("/api/v1/query_exemplars", baseUrl);
  url.searchParams.set("query", query);
  url.searchParams.set("start", String(Date.now() / 1000 - 600));
  url.searchParams.set("end", String(Date.now() / 1000 + 60));
  const body = (await (await fetch(url)).json()) as { status: string; error?: string; data?: ExemplarSeries[] };
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`Prometheus refused the exemplar query ${query}: ${body.error ?? JSON.stringify(body)}`);
  }
  return body.data;
}

const processes: Started[] = [];
let workDir = "";
let prometheusUrl = "";

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} is missing: run \`node scripts/system-deps.mjs\` (npm test does)`);
  }
  workDir = mkdtempSync(join(tmpdir(), "metrics-endpoint-e2e-"));
  const server = startProcess(process.execPath, ["--import", "tsx", "test/ops/peers/scraped-server.ts"], { cwd: repoRoot });
  processes.push(server);
  const ready = (await server.firstJsonLine(40_000)) as { grpc: string; metrics: string; textOnly: string };

  const prometheus = await startPrometheus(
    workDir,
    [
      { job: "openmetrics", url: ready.metrics },
      { job: "text", url: ready.textOnly },
    ],
    [],
    ["--enable-feature=exemplar-storage"],
  );
  processes.push(prometheus.process);
  prometheusUrl = prometheus.url;
  // Calls after both endpoints' zero series were scraped, so the counts move under Prometheus's eyes.
  await pollUntil(
    () => instantQuery(prometheusUrl, `grpc_server_handled_total${METHOD.replace("}", ',grpc_code="OK"}')}`).catch(() => []),
    (result) => result.length === 2,
    `Prometheus's first scrape of both endpoints\n${prometheus.process.output()}`,
    20_000,
    100,
  );

  const client = new TestServiceClient(ready.grpc, credentials.createInsecure(), { telemetry: false });
  try {
    for (const traceId of TRACE_IDS) {
      const metadata = new Metadata();
      metadata.set("traceparent", `00-${traceId}-00f067aa0ba902b7-01`);
      await client.unary({ text: traceId }, { metadata, deadline: Date.now() + 10_000 });
    }
  } finally {
    client.close();
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  if (workDir !== "") {
    rmSync(workDir, { recursive: true, force: true });
  }
});

describe("serveMetrics, scraped by Prometheus", () => {
  it("gives Prometheus the same counts in OpenMetrics and in the text format", async () => {
    const handled = await pollUntil(
      () => instantQuery(prometheusUrl, `grpc_server_handled_total${METHOD.replace("}", ',grpc_code="OK"}')}`),
      (result) => result.length === 2 && result.every((s) => s.value === CALLS),
      `both jobs to count ${String(CALLS)} calls`,
      20_000,
      100,
    );
    expect(handled.map((s) => s.metric["job"]).sort()).toEqual(["openmetrics", "text"]);
    const buckets = await instantQuery(prometheusUrl, `grpc_server_handling_seconds_count${METHOD}`);
    expect(buckets.map((s) => [s.metric["job"], s.value]).sort()).toEqual([
      ["openmetrics", CALLS],
      ["text", CALLS],
    ]);
  });

  it("shows each call's trace id as an exemplar of the OpenMetrics endpoint, and none of the text one", async () => {
    const exemplars = await pollUntil(
      () => queryExemplars(prometheusUrl, `grpc_server_handled_total${METHOD}`),
      (series) => series.some((s) => s.exemplars.some((e) => e.labels["trace_id"] === TRACE_IDS.at(-1))),
      "the last call's exemplar on grpc_server_handled_total",
      20_000,
      100,
    );
    // A counter keeps one exemplar, its last call's, and Prometheus stores each one it scrapes.
    for (const series of exemplars) {
      expect(series.seriesLabels["job"]).toBe("openmetrics");
      for (const exemplar of series.exemplars) {
        expect(TRACE_IDS).toContain(exemplar.labels["trace_id"]);
      }
    }
    const bucketExemplars = await queryExemplars(prometheusUrl, `grpc_server_handling_seconds_bucket${METHOD}`);
    expect(bucketExemplars.length).toBeGreaterThan(0);
    expect(bucketExemplars.every((s) => s.seriesLabels["job"] === "openmetrics")).toBe(true);
    expect(bucketExemplars.flatMap((s) => s.exemplars).every((e) => TRACE_IDS.includes(e.labels["trace_id"] ?? ""))).toBe(true);
    expect(await queryExemplars(prometheusUrl, `grpc_server_handled_total${METHOD.replace("}", ',job="text"}')}`)).toEqual([]);
  });
});
