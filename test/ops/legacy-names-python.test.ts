// py-grpc-prometheus's legacy names against prometheus_client itself, for the definitions
// in py_grpc_prometheus/server_metrics.py and client_metrics.py. It runs Python, so it is in
// the slow lane; test/runtime/metrics/legacy-and-in-flight.test.ts checks the families.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../support/exposition.js";
import type { Exposition } from "../support/exposition.js";
import { settledTotal } from "../support/grpc-counts.js";
import { useTestServer } from "../support/harness.js";
import { servePrometheusOnly } from "../support/telemetry-options.js";

const start = useTestServer();

describe("py-grpc-prometheus legacy names (legacyNames: true)", () => {
  // The same definitions rendered by prometheus_client (Debian's python3-prometheus-client,
  // which scripts/system-deps.mjs installs): the names, types and label sets a
  // py-grpc-prometheus service with legacy=True exposes, to compare ours with.
  it("render as prometheus_client renders py-grpc-prometheus's legacy definitions", async () => {
    const script = `
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
r = CollectorRegistry()
m = ["grpc_type", "grpc_service", "grpc_method"]
l = dict(grpc_type="UNARY", grpc_service="tsotel.testing.v1.TestService", grpc_method="Unary")
Counter("grpc_server_started_total", "Total number of RPCs started on the server.", m, registry=r).labels(**l).inc()
Counter("grpc_server_handled_total", "Total number of RPCs completed on the server, regardless of success or failure.", m + ["code"], registry=r).labels(code="OK", **l).inc()
Counter("grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", m, registry=r).labels(**l).inc()
Counter("grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", m, registry=r).labels(**l).inc()
Histogram("grpc_server_handled_latency_seconds", "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server", m, registry=r).labels(**l).observe(0.001)
Counter("grpc_client_started_total", "Total number of RPCs started on the client", m, registry=r).labels(**l).inc()
Counter("grpc_client_completed", "Total number of RPCs completed on the client, regardless of success or failure.", m + ["code"], registry=r).labels(code="OK", **l).inc()
Counter("grpc_client_msg_received_total", "Total number of RPC stream messages received by the client.", m, registry=r).labels(**l).inc()
Counter("grpc_client_msg_sent_total", "Total number of gRPC stream messages sent by the client.", m, registry=r).labels(**l).inc()
Histogram("grpc_client_completed_latency_seconds", "Histogram of rpc response latency (in seconds) for completed rpcs.", m, registry=r).labels(**l).observe(0.001)
print(generate_latest(r).decode())
`;
    const python = spawnSync("/usr/bin/python3", ["-c", script], { encoding: "utf8" });
    expect(python.status, python.stderr).toBe(0);
    const theirs = parseExposition(python.stdout);

    const { registry, client } = await servePrometheusOnly(start, { legacyNames: true });
    await client.unary({ text: "one" });
    const ours = await settledTotal(registry, "grpc_client_completed_total", 1);

    // prometheus_client adds a `_created` gauge per counter and histogram; that is its own.
    expect([...ours.types].sort()).toEqual([...theirs.types].filter(([name]) => !name.endsWith("_created")).sort());
    // Bucket bounds as numbers: prometheus_client writes 1.0 where prom-client writes 1.
    const le = (bound: string | undefined): string => (bound === undefined || bound === "+Inf" ? (bound ?? "") : String(Number(bound)));
    // Label sets of every line of the unary method, `_created` lines (prometheus_client's own) aside.
    const shapes = (e: Exposition): string[] =>
      [
        ...new Set(
          e.samples
            .filter((s) => !s.name.endsWith("_created") && s.labels["grpc_method"] === "Unary" && (s.labels["code"] ?? "OK") === "OK")
            .map((s) => `${s.name}{${Object.keys(s.labels).sort().join(",")}} ${s.labels["grpc_type"] ?? ""} ${le(s.labels["le"])}`),
        ),
      ].sort();
    expect(shapes(ours)).toEqual(shapes(theirs));
  });
});
