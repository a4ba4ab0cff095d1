// The rules and dashboard generated from the golden "slo" case's objectives, against a
// real Prometheus. A server of the generated CheckoutService and InventoryService
// serves its Prometheus and OpenTelemetry metrics; Debian's Prometheus scrapes it and
// evaluates the generated rule file, unedited, every second. Scripted traffic, first OK
// only, then with errors (test/ops/support/slo-traffic.ts), must make the page of the
// one method whose objective the errors break (PlaceOrder, 99.9%, 4% INTERNAL) go
// pending, then fire after its `for`, and page for no other method: not GetCart, whose
// own objective (99%) takes the same 4%; not FindProduct, half NOT_FOUND; not Ping,
// half INTERNAL with its SLO switched off. Every alert state seen is kept in a timeline,
// printed and written to a JSON file. Every query of the generated dashboard must then
// return data.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveMetrics } from "../../demo/metrics-endpoint.js";
import type { MetricsEndpoint } from "../../demo/metrics-endpoint.js";
import { CheckoutServiceClient, InventoryServiceClient, addCheckoutService, addInventoryService } from "../../golden/slo/slo/v1/checkout_otel.js";
import { pollUntil } from "../support/poll.js";
import { instantQuery } from "../support/prometheus-api.js";
import type { Started } from "../support/processes.js";
import { repoRoot } from "../support/paths.js";
import { activeAlerts, loadedRules, parseDuration, queriesWithoutData, startPrometheus } from "./support/live-prometheus.js";
import type { ActiveAlert } from "./support/live-prometheus.js";
import { readRules } from "./support/rule-files.js";
import { checkoutHandlers, inventoryHandlers, startSloTraffic } from "./support/slo-traffic.js";
import type { TrafficLoop } from "./support/traffic-loop.js";
import { bindLocal } from "../support/listen.js";

const RULES = join(repoRoot, "golden/slo/slo/v1/checkout_slo.rules.yml");
const DASHBOARD = join(repoRoot, "golden/slo/slo/v1/checkout_slo.dashboard.json");
const JOB = "checkout";
const PAGE = "GrpcServerErrorBudgetFastBurn";
const BROKEN = "PlaceOrder";
const PAGE_FOR_MS = parseDuration(readRules(RULES).find((r) => r.name === PAGE && r.labels["grpc_method"] === BROKEN)?.for ?? "");
const TRAFFIC = { tickMs: 200, errorEvery: 25 };
const OK_PHASE_MS = 15_000;
const TIMELINE_FILE = join(tmpdir(), "protoc-gen-ts-otel-slo-alert-timeline.json");

const cleanup: (() => Promise<void> | void)[] = [];
let prometheus: Started | undefined;
let prometheusUrl = "";
let traffic: TrafficLoop | undefined;
let checkout: CheckoutServiceClient | undefined;
let inventory: InventoryServiceClient | undefined;

beforeAll(async () => {
  const workDir = mkdtempSync(join(tmpdir(), "slo-e2e-"));
  cleanup.push(() => rmSync(workDir, { recursive: true, force: true }));

  // The server's metrics, as a service would serve them: prom-client's families and the
  // OpenTelemetry duration histograms (which carry PlaceOrder's metric labels too).
  const registry = new Registry();
  const otelMetrics = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [otelMetrics] });
  cleanup.push(() => meterProvider.shutdown());
  const telemetry = { tracing: false as const, metrics: { meterProvider }, prometheus: { registry } };
  const server = new Server();
  addCheckoutService(server, checkoutHandlers, { telemetry });
  addInventoryService(server, inventoryHandlers, { telemetry });
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  cleanup.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  const metrics: MetricsEndpoint = await serveMetrics(0, { registry, otelMetrics });
  cleanup.push(() => metrics.close());
  checkout = new CheckoutServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: false });
  inventory = new InventoryServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: false });
  cleanup.push(() => checkout?.close(), () => inventory?.close());

  // Warm up (connections, compiled code paths) before Prometheus's first scrape: the
  // first calls of a process are the slowest, and would count against the latency SLOs.
  const warmUp = startSloTraffic(checkout, inventory, { ...TRAFFIC, tickMs: 20 });
  await delay(1_000);
  await warmUp.stop();
  expect(warmUp.unexpected).toEqual([]);

  const live = await startPrometheus(workDir, [{ job: JOB, url: metrics.url }], [RULES]);
  prometheus = live.process;
  prometheusUrl = live.url;
  // The zero series scraped before the first call, so that rates count every call.
  await pollUntil(
    () => instantQuery(prometheusUrl, `grpc_server_started_total{job="${JOB}", grpc_method="PlaceOrder"}`).catch(() => []),
    (result) => result.length === 12,
    `Prometheus's first scrape of the zero series\n${live.process.output()}`,
    20_000,
    100,
  );
}, 60_000);

afterAll(async () => {
  await traffic?.stop();
  await prometheus?.stop();
  for (const close of cleanup.splice(0).reverse()) {
    await close();
  }
});

/** What was seen of one alert of one method. */
interface AlertHistory {
  readonly alert: string;
  readonly method: string;
  readonly severity: string;
  /** When Prometheus says it became active (pending), ms since the epoch. */
  activeAt: number;
  pendingSeenAt?: number;
  firingSeenAt?: number;
}

const burnRate = (a: ActiveAlert): boolean => /^GrpcServer(Error|Latency)Budget(Fast|Slow)Burn$/.test(a.labels["alertname"] ?? "");
const seconds = (from: number, to: number | undefined): number | undefined => (to === undefined ? undefined : Math.round((to - from) / 100) / 10);

describe("the generated SLO rules on a real Prometheus", () => {
  it(`page (${PAGE}) for the method whose objective the errors break, and for no other`, async () => {
    if (checkout === undefined || inventory === undefined) {
      throw new Error("beforeAll did not create the clients");
    }
    traffic = startSloTraffic(checkout, inventory, TRAFFIC);
    const trafficStart = Date.now();

    // Phase 1: OK calls only; no page and no availability ticket may be pending or firing
    // at any time. (A latency ticket is possible: on a loaded machine a few calls out of
    // the first hundreds may take longer than Quote's 100 ms, and a ticket burns at 0.93%.)
    while (Date.now() - trafficStart < OK_PHASE_MS) {
      const alerts = (await activeAlerts(prometheusUrl)).filter(burnRate);
      expect(alerts.filter((a) => a.labels["severity"] === "page" || a.labels["slo"] === "availability"), "alerts during OK traffic").toEqual([]);
      await delay(1_000);
    }
    const quiet = await instantQuery(prometheusUrl, `grpc_server_slo:errors_per_call:ratio_rate5m{job="${JOB}"}`);
    expect(quiet.map((s) => s.value)).toEqual(quiet.map(() => 0));
    expect(quiet.length).toBe(6);

    // Phase 2: errors. Every alert state is recorded until the page fires.
    const errorStart = traffic.startErrors();
    const history = new Map<string, AlertHistory>();
    const observe = async (): Promise<AlertHistory | undefined> => {
      const now = Date.now();
      for (const alert of (await activeAlerts(prometheusUrl)).filter(burnRate)) {
        const key = `${alert.labels["alertname"] ?? ""} ${alert.labels["grpc_method"] ?? ""}`;
        const seen = history.get(key) ?? {
          alert: alert.labels["alertname"] ?? "",
          method: alert.labels["grpc_method"] ?? "",
          severity: alert.labels["severity"] ?? "",
          activeAt: alert.activeAt,
        };
        if (alert.state === "pending") seen.pendingSeenAt ??= now;
        if (alert.state === "firing") seen.firingSeenAt ??= now;
        history.set(key, seen);
      }
      return history.get(`${PAGE} ${BROKEN}`);
    };
    const page = await pollUntil(observe, (seen) => seen?.firingSeenAt !== undefined, `${PAGE} to fire for ${BROKEN}`, 30_000 + PAGE_FOR_MS, 250);
    if (page?.firingSeenAt === undefined || page.pendingSeenAt === undefined) {
      throw new Error(`${PAGE} fired for ${BROKEN} without being seen pending first`);
    }

    const timeline = {
      traffic: `every ${TRAFFIC.tickMs} ms one call of each method; from error start 1 in ${TRAFFIC.errorEvery} PlaceOrder and GetCart calls INTERNAL, every other FindProduct NOT_FOUND, every other Ping INTERNAL`,
      trafficStart: new Date(trafficStart).toISOString(),
      errorStart: seconds(trafficStart, errorStart),
      alerts: [...history.values()]
        .sort((a, b) => a.activeAt - b.activeAt)
        .map((h) => ({
          alert: h.alert,
          method: h.method,
          severity: h.severity,
          pending: seconds(trafficStart, h.activeAt),
          pendingSeen: seconds(trafficStart, h.pendingSeenAt),
          firingSeen: seconds(trafficStart, h.firingSeenAt),
        })),
      calls: traffic.counts,
    };
    writeFileSync(TIMELINE_FILE, `${JSON.stringify(timeline, null, 2)}\n`);
    console.log(
      [
        `SLO alert timeline (seconds from traffic start, ${timeline.trafficStart}; ${timeline.traffic}):`,
        `  error start  ${String(timeline.errorStart)}`,
        ...timeline.alerts.map(
          (a) =>
            `  ${a.alert.padEnd(32)} ${a.method.padEnd(12)} ${a.severity.padEnd(7)} pending ${String(a.pending).padStart(6)}  firing ${a.firingSeen === undefined ? "     -" : String(a.firingSeen).padStart(6)}`,
        ),
        `  calls        ${JSON.stringify(timeline.calls)}`,
        `  written to   ${TIMELINE_FILE}`,
      ].join("\n"),
    );

    expect(traffic.unexpected).toEqual([]);
    expect(page.activeAt).toBeGreaterThanOrEqual(errorStart - 1_000);
    expect(page.firingSeenAt - page.activeAt).toBeGreaterThanOrEqual(PAGE_FOR_MS);
    // Pages: PlaceOrder's availability, nothing else.
    const pages = [...history.values()].filter((h) => h.severity === "page").map((h) => `${h.alert} ${h.method}`);
    expect(pages).toEqual([`${PAGE} ${BROKEN}`]);
    // Availability tickets only where the errors do burn a budget, if slowly: PlaceOrder's,
    // and GetCart's 4% against its 1% budget. None for NOT_FOUND, the switched-off Ping, or
    // the rest.
    const tickets = [...history.values()].filter((h) => h.alert === "GrpcServerErrorBudgetSlowBurn").map((h) => h.method);
    for (const method of tickets) {
      expect(["PlaceOrder", "GetCart"]).toContain(method);
    }
    expect(await instantQuery(prometheusUrl, `{__name__=~"grpc_server_slo:.*", grpc_method="Ping"}`)).toEqual([]);
    expect((await loadedRules(prometheusUrl)).filter((r) => r.health === "err")).toEqual([]);
  }, 180_000);

  it("sum PlaceOrder's metric labels away, which Prometheus scraped on both kinds of metrics", async () => {
    const labelled = await instantQuery(prometheusUrl, `sum by (order_priority) (grpc_server_handled_total{job="${JOB}", grpc_method="PlaceOrder"})`);
    expect(new Set(labelled.map((s) => s.metric["order_priority"]))).toEqual(new Set(["PRIORITY_UNSPECIFIED", "PRIORITY_STANDARD", "PRIORITY_EXPRESS", "_OTHER"]));
    const otel = await instantQuery(prometheusUrl, `sum by (order_priority, gift) (rpc_server_call_duration_seconds_count{job="${JOB}", rpc_method="slo.v1.CheckoutService/PlaceOrder"})`);
    expect(otel.map((s) => s.metric["gift"]).sort()).toEqual(["false", "false", "false", "true", "true", "true"]);
    const recorded = await instantQuery(prometheusUrl, `grpc_server_slo:errors_per_call:ratio_rate5m{grpc_method="PlaceOrder"}`);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.metric).not.toHaveProperty("order_priority");
  });

  it("has data for every query of the generated dashboard", async () => {
    expect(await queriesWithoutData(prometheusUrl, DASHBOARD)).toEqual([]);
  });
});
