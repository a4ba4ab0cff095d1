// The server side of the demo: user.v1.UserService from an in-memory store on a grpc-js
// server, with its metrics at /metrics. The service is added with the default
// telemetry: spans and OpenTelemetry metrics through the global providers, Prometheus
// metrics in prom-client's global registry.
import { ServerCredentials } from "@grpc/grpc-js";
import { createServer } from "protoc-gen-ts-otel-runtime";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { register } from "prom-client";
import { addUserService } from "./gen/user/v1/user_otel.js";
import { serveMetrics } from "./metrics-endpoint.js";
import { createUserStore } from "./user-store.js";

export interface DemoServer {
  /** `127.0.0.1:<port>`, for a client. */
  readonly grpcAddress: string;
  /** `http://127.0.0.1:<port>/metrics`, for Prometheus. */
  readonly metricsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the server and its metrics endpoint, which serves `otelMetrics` next to
 * prom-client's registry; port 0 takes any free port.
 */
export async function startDemoServer(ports: { grpc: number; metrics: number }, otelMetrics: PrometheusExporter): Promise<DemoServer> {
  const server = createServer();
  addUserService(
    server,
    createUserStore([
      { name: "Ada Lovelace", email: "ada@example.com" },
      { name: "Grace Hopper", email: "grace@example.com" },
    ]),
  );
  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${ports.grpc}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  const metrics = await serveMetrics(ports.metrics, { registry: register, otelMetrics });
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    metricsUrl: metrics.url,
    async close() {
      await metrics.close();
      await new Promise<void>((resolve, reject) => {
        server.tryShutdown((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
