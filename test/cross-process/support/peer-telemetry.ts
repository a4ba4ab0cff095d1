// Runs inside a client or server child process: full telemetry (spans to memory,
// Prometheus in a fresh registry, OpenTelemetry metrics read on demand) plus an
// observer that checks every call's end is reported once, and a summary of it all
// that the parent compares with what the peers observed on the wire.
import { DiagLogLevel, context, diag, propagation } from "@opentelemetry/api";
import type { Context, Meter, MeterProvider } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import type { ExportResult } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Counter, Registry } from "prom-client";
import type { CallObserver, MethodObserver, TelemetryObserver, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { testMeters } from "../../support/metric-reader.js";
import { parseExposition } from "../../support/exposition.js";

/** One call's span, reduced to what the comparisons need. */
export interface SpanRecord {
  readonly callId: string;
  readonly scenario: string;
  /** The proto method name, e.g. `ClientStream`. */
  readonly method: string;
  /** `rpc.response.status_code`: `OK`, `CANCELLED`, … */
  readonly code: string;
  /** The span status's description: what the call failed with; empty when it did not. */
  readonly message: string;
}

/** Counts by method, then by code name (canonical spelling). */
export type CodeCounts = Record<string, Record<string, number>>;

export interface TelemetrySummary {
  /** Every span, unless the telemetry only counts (then empty). */
  readonly spans: readonly SpanRecord[];
  /** Spans per method and `rpc.response.status_code`. */
  readonly spanCounts: CodeCounts;
  /** `grpc_<side>_handled_total`. */
  readonly handled: CodeCounts;
  /** Data points of `rpc.<side>.call.duration`: count per method and code. */
  readonly durations: CodeCounts;
  /** Calls in flight now, per method: `grpc_<side>_requests_in_flight` and `rpc.<side>.active_requests`. */
  readonly inFlight: { readonly prometheus: Record<string, number>; readonly otel: Record<string, number> };
  /** Calls the observer saw start, and saw end (once each). */
  readonly started: number;
  readonly ended: number;
  /** Ends reported to a call that had already ended: must stay 0. */
  readonly endedTwice: number;
  /** What OpenTelemetry's diag said (the SDK warns of spans ended twice). */
  readonly diag: readonly string[];
}

export interface PeerTelemetry {
  readonly telemetry: TelemetryOptions;
  readonly summary: () => Promise<TelemetrySummary>;
}

const CALL_ID = "x-call-id";
const SCENARIO = "x-scenario";

/** A part of the telemetry made to throw, as a broken backend would. */
export type Fault = "span-processor" | "exporter" | "propagator" | "histogram" | "registry-clash";

const broken = (): never => {
  throw new Error("telemetry backend broke");
};

/**
 * Spans counted per method and code, and dropped: a long soak keeps nothing per call.
 * The method is the part of the span name after the slash.
 */
class CountingExporter implements SpanExporter {
  readonly counts: CodeCounts = {};

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const method = span.name.slice(span.name.indexOf("/") + 1);
      const code = String(span.attributes["rpc.response.status_code"]);
      const byCode = (this.counts[method] ??= {});
      byCode[code] = (byCode[code] ?? 0) + 1;
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let globalsSet = false;
/** What OpenTelemetry's diag said in this process. */
const diagnostics: string[] = [];

/**
 * Telemetry for one side of the peers, everything on, with the call id lifted into
 * spans; `countOnly` keeps counts of spans instead of the spans.
 */
export function peerTelemetry(side: "client" | "server", fault?: Fault, countOnly = false): PeerTelemetry {
  // A process with both sides (a server whose handlers call another) sets these once, with its first side's fault.
  if (!globalsSet) {
    globalsSet = true;
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    propagation.setGlobalPropagator(fault === "propagator" ? { inject: broken, extract: broken, fields: () => w3c.fields() } : w3c);
    const log = (message: string, ...args: unknown[]): void => {
      diagnostics.push([message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(" "));
    };
    diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
  }

  const exporter = countOnly ? new CountingExporter() : new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new SimpleSpanProcessor(exporter)];
  if (fault === "span-processor") {
    processors.unshift({ onStart: broken, onEnd: () => undefined, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() });
  }
  if (fault === "exporter") {
    processors.push(new SimpleSpanProcessor({ export: broken, shutdown: () => Promise.resolve() }));
  }
  const tracerProvider = new BasicTracerProvider({ spanProcessors: processors });
  const registry = new Registry();
  if (fault === "registry-clash") {
    // Someone else's metric under the name of one of ours.
    new Counter({ name: `grpc_${side}_handled_total`, help: "not ours", registers: [registry] });
  }
  const meters = testMeters();
  const meterProvider: MeterProvider =
    fault === "histogram"
      ? {
          getMeter: (...args) => {
            // The SDK's meter, but for histograms that throw on every record.
            const meter = Object.create(meters.meterProvider.getMeter(...args)) as Meter;
            Object.defineProperty(meter, "createHistogram", { value: () => ({ record: broken }) });
            return meter;
          },
        }
      : meters.meterProvider;
  const calls = { started: 0, ended: 0, endedTwice: 0 };
  const counting: TelemetryObserver = {
    observeClientMethod: () => countingObserver(calls),
    observeServerMethod: () => countingObserver(calls),
  };
  return {
    telemetry: {
      tracing: { tracerProvider, requestMetadata: [CALL_ID, SCENARIO] },
      metrics: { meterProvider, activeRequests: true },
      prometheus: { registry, codeNames: "canonical", inFlight: true },
      observers: [counting],
    },
    async summary() {
      const finished = exporter instanceof InMemorySpanExporter ? exporter.getFinishedSpans() : [];
      const spans = finished.map((span) => {
        const attribute = (name: string): string => {
          const value = span.attributes[name];
          return Array.isArray(value) ? String(value[0]) : String(value);
        };
        return {
          callId: attribute(`rpc.request.metadata.${CALL_ID}`),
          scenario: attribute(`rpc.request.metadata.${SCENARIO}`),
          method: span.name.slice(span.name.indexOf("/") + 1),
          code: attribute("rpc.response.status_code"),
          message: span.status.message ?? "",
        };
      });
      const handled: CodeCounts = {};
      const inFlight = { prometheus: {} as Record<string, number>, otel: {} as Record<string, number> };
      for (const sample of parseExposition(await registry.metrics()).samples) {
        const method = sample.labels["grpc_method"] ?? "?";
        if (sample.name === `grpc_${side}_handled_total` && sample.value > 0) {
          (handled[method] ??= {})[sample.labels["grpc_code"] ?? "?"] = sample.value;
        }
        if (sample.name === `grpc_${side}_requests_in_flight`) {
          inFlight.prometheus[method] = sample.value;
        }
      }
      const collected = await meters.collect();
      for (const point of collected.get(`rpc.${side}.active_requests`)?.sum ?? []) {
        inFlight.otel[String(point.attributes["rpc.method"]).split("/")[1] ?? "?"] = point.value;
      }
      const durations: CodeCounts = {};
      for (const point of collected.get(`rpc.${side}.call.duration`)?.histogram ?? []) {
        const method = String(point.attributes["rpc.method"]).split("/")[1] ?? "?";
        // Summed: one method and code have a point per server address and error type.
        const byCode = (durations[method] ??= {});
        const code = String(point.attributes["rpc.response.status_code"]);
        byCode[code] = (byCode[code] ?? 0) + point.count;
      }
      const spanCounts: CodeCounts = exporter instanceof CountingExporter ? exporter.counts : {};
      for (const span of spans) {
        const byCode = (spanCounts[span.method] ??= {});
        byCode[span.code] = (byCode[span.code] ?? 0) + 1;
      }
      return { spans, spanCounts, handled, durations, inFlight, ...calls, diag: diagnostics };
    },
  };
}

function countingObserver(calls: { started: number; ended: number; endedTwice: number }): MethodObserver<{ readonly context: Context }> {
  return {
    start(call): CallObserver {
      calls.started += 1;
      let ended = false;
      return {
        context: call.context,
        headers: () => undefined,
        messageSent: () => undefined,
        messageReceived: () => undefined,
        end() {
          if (ended) {
            calls.endedTwice += 1;
            return;
          }
          ended = true;
          calls.ended += 1;
        },
      };
    },
  };
}
