// Runs inside a client or server child process: full telemetry (spans to memory,
// Prometheus in a fresh registry, OpenTelemetry metrics read on demand) plus an
// observer that checks every call's end is reported once, and a summary of it all
// that the parent compares with what the peers observed on the wire.
import { DiagLogLevel, context, diag, propagation } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import type { CallObserver, MethodObserver, Telemetry, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { testMeters } from "../../metrics/support/metric-reader.js";
import { parseExposition } from "../../metrics/support/exposition.js";

/** One call's span, reduced to what the comparisons need. */
export interface SpanRecord {
  readonly callId: string;
  readonly scenario: string;
  /** The proto method name, e.g. `ClientStream`. */
  readonly method: string;
  /** `rpc.response.status_code`: `OK`, `CANCELLED`, … */
  readonly code: string;
}

/** Counts by method, then by code name (canonical spelling). */
export type CodeCounts = Record<string, Record<string, number>>;

export interface TelemetrySummary {
  readonly spans: readonly SpanRecord[];
  /** `grpc_<side>_handled_total`. */
  readonly handled: CodeCounts;
  /** Data points of `rpc.<side>.call.duration`: count per method and code. */
  readonly durations: CodeCounts;
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

/** Telemetry for one side of the peers, everything on, with the call id lifted into spans. */
export function peerTelemetry(side: "client" | "server"): PeerTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const diagnostics: string[] = [];
  const log = (message: string): void => {
    diagnostics.push(message);
  };
  diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);

  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const registry = new Registry();
  const meters = testMeters();
  const calls = { started: 0, ended: 0, endedTwice: 0 };
  const counting: Telemetry = {
    clientMethod: () => countingObserver(calls),
    serverMethod: () => countingObserver(calls),
  };
  return {
    telemetry: {
      tracing: { tracerProvider, requestMetadata: [CALL_ID, SCENARIO] },
      metrics: { meterProvider: meters.meterProvider },
      prometheus: { registry, codeNames: "canonical" },
      observers: [counting],
    },
    async summary() {
      const spans = exporter.getFinishedSpans().map((span) => {
        const attribute = (name: string): string => {
          const value = span.attributes[name];
          return Array.isArray(value) ? String(value[0]) : String(value);
        };
        return {
          callId: attribute(`rpc.request.metadata.${CALL_ID}`),
          scenario: attribute(`rpc.request.metadata.${SCENARIO}`),
          method: span.name.slice(span.name.indexOf("/") + 1),
          code: attribute("rpc.response.status_code"),
        };
      });
      const handled: CodeCounts = {};
      for (const sample of parseExposition(await registry.metrics()).samples) {
        if (sample.name === `grpc_${side}_handled_total` && sample.value > 0) {
          const method = sample.labels["grpc_method"] ?? "?";
          (handled[method] ??= {})[sample.labels["grpc_code"] ?? "?"] = sample.value;
        }
      }
      const durations: CodeCounts = {};
      for (const point of (await meters.collect()).get(`rpc.${side}.call.duration`)?.histogram ?? []) {
        const method = String(point.attributes["rpc.method"]).split("/")[1] ?? "?";
        (durations[method] ??= {})[String(point.attributes["rpc.response.status_code"])] = point.count;
      }
      return { spans, handled, durations, ...calls, diag: diagnostics };
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
