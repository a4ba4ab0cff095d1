// The metrics endpoint (metricsHandler, serveMetrics) over real HTTP on 127.0.0.1: what
// it answers for each Accept, Accept-Encoding and method, that it renders what
// prom-client renders, exemplars in OpenMetrics only, and its failures.
import { createServer, request as httpRequest } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { ROOT_CONTEXT, TraceFlags, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { Counter, Gauge, Histogram, Registry, Summary, register } from "prom-client";
import type { OpenMetricsContentType, RegistryContentType } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { metricsHandler, serveMetrics } from "protoc-gen-ts-otel-runtime";
import type { MetricsHandlerOptions } from "protoc-gen-ts-otel-runtime";
import { negotiateFormat } from "../../../packages/runtime/src/telemetry/prometheus/scrape.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { useTestServer } from "../../support/harness.js";
import { resetProcessState } from "../../support/process-state.js";
import { captureDiag } from "../../support/diag-capture.js";
import { parseExposition, samplesOf } from "../../support/exposition.js";
import { testMethod } from "../../support/grpc-counts.js";
import { prometheusOnly } from "../../support/telemetry-options.js";
import { listenLocal } from "../../support/listen.js";

const start = useTestServer();
const diagnostics = captureDiag();

/** What Prometheus 2.42 sends when it scrapes. */
const PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** As sent: still gzipped when it was. */
  readonly body: Buffer;
}

/** One request with exactly these headers (fetch would add Accept and Accept-Encoding). */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** `http.createServer(metricsHandler(options))` on 127.0.0.1:0; its URL. */
async function serveHandler(options?: MetricsHandlerOptions): Promise<string> {
  const server = createServer(metricsHandler(options));
  servers.push(server);
  return `http://127.0.0.1:${await listenLocal(server)}/metrics`;
}

/** A text-format registry with one metric of each prom-client kind and a default label. */
function everyKind(): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setDefaultLabels({ app: "shop" });
  const registers = [registry];
  new Counter({ name: "jobs_total", help: "Jobs done.\nBy kind", labelNames: ["kind"], registers }).inc({ kind: 'a "quoted" \\ kind' }, 3);
  new Gauge({ name: "queue_depth", help: "Queue depth", registers }).set(7);
  const histogram = new Histogram({ name: "job_seconds", help: "Job time", labelNames: ["kind"], buckets: [0.1, 1], registers });
  histogram.observe({ kind: "a" }, 0.5);
  histogram.observe({ kind: "b" }, 2);
  new Summary({ name: "payload_bytes", help: "Payload size", percentiles: [0.5], registers }).observe(42);
  return registry;
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe("the format", () => {
  it.each([
    [undefined, "text"],
    ["*/*", "text"],
    ["text/plain", "text"],
    ["text/plain;version=0.0.4", "text"],
    [PROMETHEUS_ACCEPT, "openmetrics"],
    ["application/openmetrics-text", "openmetrics"],
    ["application/openmetrics-text; version=0.0.1", "openmetrics"],
    ["application/openmetrics-text; version=2.0.0", "text"],
    ["text/plain;q=0.9, application/openmetrics-text", "openmetrics"],
    ["application/openmetrics-text;q=0.5, text/plain", "text"],
    ["application/openmetrics-text;q=0, */*", "text"],
    ["application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "text"],
  ] as const)("Accept %j answers %s", (accept, format) => {
    expect(negotiateFormat(accept, true)).toBe(format);
  });

  it("is the text format, whatever the Accept, where prom-client renders no OpenMetrics (14)", () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT, false)).toBe("text");
  });
});

describe("metricsHandler", () => {
  it("answers what the registry renders itself, in the text format, to a scraper that asks for nothing", async () => {
    const registry = everyKind();
    const answer = await get(await serveHandler({ registry }));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe(TEXT_TYPE);
    expect(answer.headers["content-encoding"]).toBeUndefined();
    expect(answer.headers["content-length"]).toBe(String(answer.body.length));
    expect(parseExposition(answer.body.toString())).toEqual(parseExposition(await registry.metrics()));
  });

  it("answers OpenMetrics to Prometheus, as an OpenMetrics registry of the same metrics renders them", async () => {
    const registry = everyKind();
    const answer = await get(await serveHandler({ registry }), { accept: PROMETHEUS_ACCEPT });
    expect(answer.headers["content-type"]).toBe(OPENMETRICS_TYPE);
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(parseExposition(answer.body.toString())).toEqual(parseExposition(await registry.metrics()));
    expect(answer.body.toString()).toMatch(/^# TYPE jobs counter\njobs_total\{kind="a \\"quoted\\" \\\\ kind",app="shop"\} 3$/m);
    expect(answer.body.toString()).toMatch(/\n# EOF\n$/);
  });

  it("leaves the registry as it was: its counters keep their _total in the text format after an OpenMetrics scrape", async () => {
    const registry = everyKind();
    const before = await registry.metrics();
    const url = await serveHandler({ registry });
    await get(url, { accept: PROMETHEUS_ACCEPT });
    expect(parseExposition((await get(url)).body.toString())).toEqual(parseExposition(before));
    expect(await registry.metrics()).toBe(before);
  });

  it("serves prom-client's global register by default", async () => {
    const name = `endpoint_default_${String(process.pid)}_total`;
    const counter = new Counter({ name, help: "In the global register" });
    try {
      counter.inc(5);
      const answer = await get(await serveHandler());
      expect(samplesOf(parseExposition(answer.body.toString()), name, {})).toEqual([{ name, labels: {}, value: 5 }]);
    } finally {
      register.removeSingleMetric(name);
    }
  });

  it("shows a generated client's exemplars to an OpenMetrics scraper, even from a text-format registry, and never in the text format", async () => {
    resetProcessState();
    const registry = new Registry();
    const { client } = await start(behaviorHandlers(), { client: { telemetry: prometheusOnly(registry, { exemplars: true }) }, server: { telemetry: false } });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const sampled = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId, spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED }));
    await context.with(sampled, () => client.unary({ text: "hi" }));
    const url = await serveHandler({ registry });

    const openMetrics = parseExposition((await get(url, { accept: PROMETHEUS_ACCEPT })).body.toString());
    const [started] = samplesOf(openMetrics, "grpc_client_started_total", testMethod("Unary"));
    expect(started?.exemplar?.labels).toEqual({ trace_id: traceId });
    const text = (await get(url)).body.toString();
    expect(text).toContain("grpc_client_started_total{");
    expect(text).not.toContain("# {");
    // The registry's own rendering: the warning the runtime gave when it was created still holds for it.
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/exemplars are on, but the registry renders the Prometheus text format/) as string]);
  });

  it("shows prom-client's own exemplars (an OpenMetrics registry) in OpenMetrics only", async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const histogram = new Histogram({ name: "checkout_seconds", help: "Checkout", buckets: [1], enableExemplars: true, registers: [registry] });
    histogram.observe({ value: 0.3, exemplarLabels: { trace_id: "abc" } });
    const url = await serveHandler({ registry });
    const [bucket] = samplesOf(parseExposition((await get(url, { accept: "application/openmetrics-text" })).body.toString()), "checkout_seconds_bucket", { le: "1" });
    expect(bucket?.exemplar).toMatchObject({ labels: { trace_id: "abc" }, value: 0.3 });
    const text = await get(url, { accept: "text/plain" });
    expect(text.headers["content-type"]).toBe(TEXT_TYPE);
    expect(text.body.toString()).toContain('checkout_seconds_bucket{le="1"} 1\n');
    expect(text.body.toString()).not.toContain("trace_id");
  });

  it("answers OpenMetrics with the text format when told not to", async () => {
    const answer = await get(await serveHandler({ registry: everyKind(), openMetrics: false }), { accept: PROMETHEUS_ACCEPT });
    expect(answer.headers["content-type"]).toBe(TEXT_TYPE);
  });

  it("gzips for a scraper that accepts gzip", async () => {
    const registry = everyKind();
    const url = await serveHandler({ registry });
    const answer = await get(url, { "accept-encoding": "gzip" });
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(answer.headers.vary).toBe("Accept, Accept-Encoding");
    expect(parseExposition(gunzipSync(answer.body).toString())).toEqual(parseExposition(await registry.metrics()));
    expect((await get(url, { "accept-encoding": "gzip;q=0, identity" })).headers["content-encoding"]).toBeUndefined();
  });

  it("answers HEAD with the headers alone, and any other method 405", async () => {
    const url = await serveHandler({ registry: everyKind() });
    const head = await get(url, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe(TEXT_TYPE);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
    for (const method of ["POST", "PUT", "DELETE"]) {
      const refused = await get(url, {}, method);
      expect([refused.status, refused.headers.allow]).toEqual([405, "GET, HEAD"]);
    }
  });

  it("answers 500 with a short message when the registry fails to collect, and says why once through diag", async () => {
    resetProcessState();
    const registry = new Registry();
    new Gauge({
      name: "broken",
      help: "Throws when collected",
      registers: [registry],
      collect() {
        throw new Error("the database is down");
      },
    });
    const url = await serveHandler({ registry });
    for (let i = 0; i < 3; i++) {
      const answer = await get(url, { accept: PROMETHEUS_ACCEPT });
      expect([answer.status, answer.headers["content-type"], answer.body.toString()]).toEqual([500, "text/plain; charset=utf-8", "metrics could not be collected\n"]);
    }
    expect(diagnostics).toEqual([{ level: "error", message: "protoc-gen-ts-otel-runtime: the metrics endpoint could not collect the registry's metrics" }]);
  });
});

describe("serveMetrics", () => {
  it("listens, serves the registry on /metrics and nothing else", async () => {
    const registry = everyKind();
    const server = await serveMetrics({ registry, port: 0, host: "127.0.0.1" });
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(parseExposition((await get(`${base}/metrics?debug=1`)).body.toString())).toEqual(parseExposition(await registry.metrics()));
    expect((await get(`${base}/`)).status).toBe(404);
    const custom = await serveMetrics({ registry, port: 0, host: "127.0.0.1", path: "/internal/metrics" });
    servers.push(custom);
    expect((await get(`http://127.0.0.1:${(custom.address() as AddressInfo).port}/internal/metrics`)).status).toBe(200);
  });

  it("rejects when the port is taken", async () => {
    const first = await serveMetrics({ port: 0, host: "127.0.0.1" });
    servers.push(first);
    await expect(serveMetrics({ port: (first.address() as AddressInfo).port, host: "127.0.0.1" })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
