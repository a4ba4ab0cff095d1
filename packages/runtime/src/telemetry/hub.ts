import { diag } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import type { CallObserver, CallResult, MethodObserver, Telemetry } from "../observer.js";
import { reportOnce } from "../process-state.js";
import type { MethodDefinition, MethodTelemetry } from "../service.js";
import { memoLast } from "./attributes.js";
import type { ClientMethodFacts, Reporter, ServerMethodFacts } from "./method-facts.js";
import { labelCombinations } from "./metric-labels.js";
import type { TelemetryOption } from "./options.js";
import { createOtelMetrics } from "./otel-metrics/create-otel-metrics.js";
import { parseTarget } from "./parse-target.js";
import { createPrometheus } from "./prometheus/create-prometheus.js";
import type { SemconvMode } from "./semconv.js";
import { createTracing } from "./tracing/tracing.js";

// How a client's or server's `telemetry` option becomes the observers of its methods,
// in one place: the option is resolved here once, at the client's or server's
// creation, into parts in a fixed order; each method's facts are built once and
// handed to every part; the proto options switch parts off per method; whatever a
// part throws is reported once and kept away from the call; the contexts the parts
// return are chained into the one the call runs in.

/** The proto options that switch a part off for a method. */
type Switch = keyof Pick<MethodTelemetry, "tracing" | "metrics">;

/** One part of the telemetry, as the hub runs it. */
interface Part {
  readonly reporter: Reporter;
  /** The proto option that switches this part off for a method, if any. */
  readonly switchedBy?: Switch;
  /** Reports what the part threw, once per process and part. */
  readonly report: (err: unknown) => void;
}

/** Resolves a client's or server's `telemetry` option once, at its creation. */
export function resolveTelemetry(option: TelemetryOption | undefined): Telemetry | undefined {
  if (option === false) {
    return undefined;
  }
  const options = option ?? {};
  const mode = semconvMode(options.semconv);
  const parts: Part[] = [];
  // Tracing first: the context it returns carries the span that the metrics parts
  // read (for exemplars) and that handlers run in.
  if (options.tracing !== false) {
    parts.push(part("tracing", createTracing(options.tracing ?? {}, mode), "tracing"));
  }
  if (options.metrics !== false) {
    parts.push(part("OpenTelemetry metrics", createOtelMetrics(options.metrics ?? {}, mode), "metrics"));
  }
  if (options.prometheus !== false) {
    const prometheus = createPrometheus(options.prometheus ?? {});
    if (prometheus !== undefined) {
      parts.push(part("Prometheus metrics", prometheus, "metrics"));
    }
  }
  for (const observer of options.observers ?? []) {
    parts.push(part("a telemetry observer", fromTelemetry(observer)));
  }
  if (parts.length === 0) {
    return undefined;
  }
  // A client asks for each of its methods with the same target.
  const parsedTarget = memoLast(parseTarget);
  return {
    clientMethod(method, target) {
      const facts: ClientMethodFacts = { side: "client", method, labels: labelCombinations(method), client: { target, server: parsedTarget(target) } };
      return chain(parts.map((p) => setUp(p, method, () => p.reporter.clientMethod(facts))));
    },
    serverMethod(method) {
      const facts: ServerMethodFacts = { side: "server", method, labels: labelCombinations(method) };
      return chain(parts.map((p) => setUp(p, method, () => p.reporter.serverMethod(facts))));
    },
  };
}

/**
 * Combines several telemetry implementations into one; the context each call
 * observer returns becomes the starting context of the next, in order.
 */
export function combineTelemetry(parts: readonly Telemetry[]): Telemetry | undefined {
  if (parts.length <= 1) {
    return parts[0];
  }
  return {
    clientMethod: (method, target) => chain(parts.map((p) => p.clientMethod?.(method, target))),
    serverMethod: (method) => chain(parts.map((p) => p.serverMethod?.(method))),
  };
}

/**
 * The conventions to emit: an explicit choice wins; otherwise
 * `OTEL_SEMCONV_STABILITY_OPT_IN` (comma-separated) with `rpc/dup` → both and `rpc` →
 * new; with neither, new (this project has no users of the old names to protect).
 */
function semconvMode(choice: SemconvMode | undefined): SemconvMode {
  if (choice !== undefined) {
    return choice;
  }
  const values = (process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] ?? "").split(",").map((v) => v.trim().toLowerCase());
  return values.includes("rpc/dup") ? "dup" : "new";
}

/**
 * A part named in the one `diag` line it may ever write: a failing span processor,
 * exporter, meter or registry is reported once per process and part, however many
 * clients and servers meet it, and the RPC goes on with the result it would have had.
 */
function part(name: string, reporter: Reporter, switchedBy?: Switch): Part {
  const report = (err: unknown): void => {
    reportOnce(`${name} failed`, () => {
      diag.error(`protoc-gen-ts-otel-runtime: ${name} failed; calls go on without it where it fails`, err);
    });
  };
  return switchedBy === undefined ? { reporter, report } : { reporter, report, switchedBy };
}

/** A user's implementation of the public seam, as a part. */
function fromTelemetry(telemetry: Telemetry): Reporter {
  return {
    clientMethod: (facts) => telemetry.clientMethod?.(facts.method, facts.client.target),
    serverMethod: (facts) => telemetry.serverMethod?.(facts.method),
  };
}

/**
 * One part's observer of one method: none where the proto switched the part off (no
 * spans, or no series, zero series included), guarded everywhere else.
 */
function setUp<S extends { readonly context: Context }>(
  part: Part,
  method: MethodDefinition,
  observe: () => MethodObserver<S> | undefined,
): MethodObserver<S> | undefined {
  if (part.switchedBy !== undefined && method.telemetry?.[part.switchedBy] === false) {
    return undefined;
  }
  let inner: MethodObserver<S> | undefined;
  try {
    inner = observe();
  } catch (err) {
    part.report(err);
    return undefined;
  }
  if (inner === undefined) {
    return undefined;
  }
  const { report } = part;
  return {
    ownsSpans: inner.ownsSpans === true,
    start(call) {
      try {
        const started = inner.start(call);
        return new GuardedCallObserver(started, report, started.context, started.grpcContext);
      } catch (err) {
        report(err);
        return new GuardedCallObserver(undefined, report, call.context, undefined);
      }
    },
  };
}

/** The observers of one method in order, as one; a method owns its spans if any of them makes spans. */
function chain<S extends { readonly context: Context }>(
  candidates: readonly (MethodObserver<S> | undefined)[],
): MethodObserver<S> | undefined {
  const observers = candidates.filter((o): o is MethodObserver<S> => o !== undefined);
  if (observers.length <= 1) {
    return observers[0];
  }
  return {
    ownsSpans: observers.some((o) => o.ownsSpans === true),
    start(call) {
      const started: CallObserver[] = [];
      let current = call;
      let grpcContext: Context | undefined;
      for (const observer of observers) {
        const callObserver = observer.start(current);
        started.push(callObserver);
        grpcContext = callObserver.grpcContext ?? grpcContext;
        // Metrics observers hand the context on unchanged: no copy per call for them.
        if (callObserver.context !== current.context) {
          current = { ...current, context: callObserver.context };
        }
      }
      return new CallObserverChain(started, current.context, grpcContext);
    },
  };
}

class CallObserverChain implements CallObserver {
  constructor(
    private readonly observers: readonly CallObserver[],
    readonly context: Context,
    readonly grpcContext: Context | undefined,
  ) {}
  headers(metadata: Metadata): void {
    for (const o of this.observers) o.headers(metadata);
  }
  messageSent(size: number): void {
    for (const o of this.observers) o.messageSent(size);
  }
  messageReceived(size: number): void {
    for (const o of this.observers) o.messageReceived(size);
  }
  end(result: CallResult): void {
    for (const o of this.observers) o.end(result);
  }
}

/** A part's call observer that lets nothing it throws reach the call. */
class GuardedCallObserver implements CallObserver {
  constructor(
    private readonly inner: CallObserver | undefined,
    private readonly report: (err: unknown) => void,
    readonly context: Context,
    readonly grpcContext: Context | undefined,
  ) {}

  headers(metadata: Metadata): void {
    try {
      this.inner?.headers(metadata);
    } catch (err) {
      this.report(err);
    }
  }

  messageSent(size: number): void {
    try {
      this.inner?.messageSent(size);
    } catch (err) {
      this.report(err);
    }
  }

  messageReceived(size: number): void {
    try {
      this.inner?.messageReceived(size);
    } catch (err) {
      this.report(err);
    }
  }

  end(result: CallResult): void {
    try {
      this.inner?.end(result);
    } catch (err) {
      this.report(err);
    }
  }
}
