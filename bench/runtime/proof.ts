// What each process counted of its own calls, read at the end of a run: the
// evidence that an instrumented variant did its work once per call.
import { SpanKind } from "@opentelemetry/api";
import type { PrometheusSource, Variant } from "./variants.js";
import { installedSdk } from "./telemetry-sdk.js";

export type Side = "client" | "server";

export interface SideProof {
  /** Spans of this side's kind (CLIENT in the client, SERVER in the server), and of any other kind. */
  readonly spans?: { readonly own: number; readonly other: number };
  /** The sum of `grpc_<side>_handled_total` over all its series. */
  readonly prometheusHandled?: number;
  /** The number of calls in the `rpc.<side>.call.duration` histograms. */
  readonly otelCalls?: number;
}

export async function collectProof(variant: Variant, side: Side): Promise<SideProof> {
  const proof: { -readonly [K in keyof SideProof]: SideProof[K] } = {};
  const sdk = installedSdk();
  if (variant.proves.spans && sdk !== undefined) {
    await sdk.flush();
    const own = sdk.spans.count(side === "client" ? SpanKind.CLIENT : SpanKind.SERVER);
    proof.spans = { own, other: sdk.spans.total() - own };
  }
  if (variant.proves.otelMetrics && sdk !== undefined) {
    proof.otelCalls = await sdk.metricReader.histogramCount(`rpc.${side}.call.duration`);
  }
  if (variant.proves.prometheus !== undefined) {
    proof.prometheusHandled = await handledTotal(variant.proves.prometheus, side);
  }
  return proof;
}

async function handledTotal(source: PrometheusSource, side: Side): Promise<number> {
  const registry =
    source === "prom-client global register"
      ? (await import("prom-client")).register
      : (await import("nice-grpc-prometheus")).registry;
  const metric = registry.getSingleMetric(`grpc_${side}_handled_total`);
  if (metric === undefined) {
    return 0;
  }
  const { values } = await metric.get();
  return values.reduce((sum, value) => sum + value.value, 0);
}
