// The stacks the runtime benchmark compares, in the order the table prints them.
import type { TelemetryOption } from "protoc-gen-ts-otel-runtime";
import type { FloorParts } from "./stacks/floor/floor-method.js";

export type VariantId =
  | "bare"
  | "bare-sdk"
  | "floor-prometheus"
  | "floor-traces"
  | "floor-full"
  | "ours-off"
  | "ours-prometheus"
  | "ours-traces"
  | "ours-full"
  | "grpc-instrumentation"
  | "nice-plain"
  | "nice-full";

/** Which client and server code a variant runs. */
export type Stack =
  | { readonly kind: "bare" }
  | { readonly kind: "floor"; readonly parts: FloorParts }
  | { readonly kind: "ours"; readonly telemetry: TelemetryOption }
  | { readonly kind: "nice"; readonly middleware: boolean };

/** Which Prometheus registry a variant counts its calls in. */
export type PrometheusSource = "prom-client global register" | "nice-grpc-prometheus registry";

/** What an instrumented variant must show it did, once per call on each side. */
export interface Proves {
  /** A CLIENT span per call in the client, a SERVER span per call in the server. */
  readonly spans: boolean;
  /** `grpc_{client,server}_handled_total` counts every call. */
  readonly prometheus?: PrometheusSource | undefined;
  /** `rpc.{client,server}.call.duration` histograms count every call. */
  readonly otelMetrics: boolean;
}

export interface Variant {
  readonly id: VariantId;
  /** What the table shows. */
  readonly label: string;
  readonly stack: Stack;
  /**
   * The OpenTelemetry SDK is registered globally in both processes: an always-on
   * sampler, a batch processor into an exporter that counts spans and drops them, a
   * meter provider with a reader that is read once at the end, AsyncLocalStorage
   * context and W3C propagation.
   */
  readonly sdk: boolean;
  /** @opentelemetry/instrumentation-grpc, enabled before grpc-js is loaded. */
  readonly instrumentGrpc: boolean;
  readonly proves: Proves;
}

const nothing: Proves = { spans: false, otelMetrics: false };

export const variants: readonly Variant[] = [
  {
    id: "bare",
    label: "bare grpc-js (floor)",
    stack: { kind: "bare" },
    sdk: false,
    instrumentGrpc: false,
    proves: nothing,
  },
  {
    // Not an alternative but a second floor: what the SDK alone costs, since its
    // AsyncLocalStorage context manager hooks every promise and tick in the process.
    id: "bare-sdk",
    label: "bare grpc-js, SDK registered, no instrumentation",
    stack: { kind: "bare" },
    sdk: true,
    instrumentGrpc: false,
    proves: nothing,
  },
  // The hand-written floor (stacks/floor/): ours's telemetry written plainly around
  // bare grpc-js, what any instrumentation must pay. Measured by `npm run bench -- --cpu`.
  {
    id: "floor-prometheus",
    label: "hand-written floor, Prometheus only, no SDK",
    stack: { kind: "floor", parts: "prometheus" },
    sdk: false,
    instrumentGrpc: false,
    proves: { spans: false, prometheus: "prom-client global register", otelMetrics: false },
  },
  {
    id: "floor-traces",
    label: "hand-written floor, traces only",
    stack: { kind: "floor", parts: "traces" },
    sdk: true,
    instrumentGrpc: false,
    proves: { spans: true, otelMetrics: false },
  },
  {
    id: "floor-full",
    label: "hand-written floor, full",
    stack: { kind: "floor", parts: "full" },
    sdk: true,
    instrumentGrpc: false,
    proves: { spans: true, prometheus: "prom-client global register", otelMetrics: true },
  },
  {
    id: "ours-off",
    label: "ours, telemetry: false",
    stack: { kind: "ours", telemetry: false },
    sdk: false,
    instrumentGrpc: false,
    proves: nothing,
  },
  {
    id: "ours-prometheus",
    label: "ours, Prometheus only, no SDK",
    stack: { kind: "ours", telemetry: { tracing: false, metrics: false } },
    sdk: false,
    instrumentGrpc: false,
    proves: { spans: false, prometheus: "prom-client global register", otelMetrics: false },
  },
  {
    id: "ours-traces",
    label: "ours, traces only",
    stack: { kind: "ours", telemetry: { metrics: false, prometheus: false } },
    sdk: true,
    instrumentGrpc: false,
    proves: { spans: true, otelMetrics: false },
  },
  {
    id: "ours-full",
    label: "ours, full (traces+OTel metrics+Prometheus)",
    // The defaults: everything, through the global providers and register.
    stack: { kind: "ours", telemetry: {} },
    sdk: true,
    instrumentGrpc: false,
    proves: { spans: true, prometheus: "prom-client global register", otelMetrics: true },
  },
  {
    id: "grpc-instrumentation",
    label: "bare grpc-js + instrumentation-grpc (traces)",
    stack: { kind: "bare" },
    sdk: true,
    instrumentGrpc: true,
    proves: { spans: true, otelMetrics: false },
  },
  {
    id: "nice-plain",
    label: "nice-grpc, no middleware",
    stack: { kind: "nice", middleware: false },
    sdk: false,
    instrumentGrpc: false,
    proves: nothing,
  },
  {
    id: "nice-full",
    label: "nice-grpc + opentelemetry + prometheus",
    stack: { kind: "nice", middleware: true },
    sdk: true,
    instrumentGrpc: false,
    proves: { spans: true, prometheus: "nice-grpc-prometheus registry", otelMetrics: false },
  },
];

export function variantById(id: string): Variant {
  const variant = variants.find((v) => v.id === id);
  if (variant === undefined) {
    throw new Error(`unknown variant ${JSON.stringify(id)}; known: ${variants.map((v) => v.id).join(", ")}`);
  }
  return variant;
}
