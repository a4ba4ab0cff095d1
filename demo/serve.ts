// The demo server alone, for pointing Prometheus or any gRPC client at it:
//   npm run demo -- --serve [--grpc-port 50051] [--metrics-port 9464]
// Prints one JSON line, {"grpc":"127.0.0.1:<port>","metrics":"http://127.0.0.1:<port>/metrics"},
// and serves until SIGTERM or SIGINT. /metrics has the OpenTelemetry metrics
// (rpc_server_call_duration_seconds) next to the Prometheus ones (grpc_server_*).
import { otelMetrics, sdk } from "./otel-sdk.js";
import { parseArgs } from "node:util";
import { startDemoServer } from "./demo-server.js";

const { values } = parseArgs({
  options: {
    "grpc-port": { type: "string", default: "0" },
    "metrics-port": { type: "string", default: "0" },
  },
});

const demo = await startDemoServer({ grpc: Number(values["grpc-port"]), metrics: Number(values["metrics-port"]) }, otelMetrics);
console.log(JSON.stringify({ grpc: demo.grpcAddress, metrics: demo.metricsUrl }));

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    demo.close().then(() => sdk.shutdown()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
