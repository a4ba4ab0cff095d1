import { ROOT_CONTEXT, diag } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import type { CallObserver, CallResult, ClientCallStart, MethodObserver, ServerCallStart, TelemetryObserver } from "../observer.js";
import { reportOnce } from "../process-state.js";
import type { MethodDefinition, MethodTelemetry } from "../service.js";
import { memoLast } from "./attributes.js";
import type { ClientMethodFacts, ServerMethodFacts } from "./method-facts.js";
import { labelCombinations } from "./metric-labels.js";
import type { TelemetryOption } from "./options.js";
import { createOtelMetrics } from "./otel-metrics/create-otel-metrics.js";
import { parseTarget } from "./parse-target.js";
import { createPrometheus } from "./prometheus/create-prometheus.js";
import type { SemconvMode } from "./semconv.js";
import { createTracing } from "./tracing/tracing.js";

// How a client's or server's `telemetry` option becomes the observers of its methods,
// in one place: the option is resolved here once, at the client's or server's
// creation, into parts in a fixed order, the built-in ones first and the user's
// `observers` after, all implementing the one TelemetryObserver; each method's facts
// are built once and handed to every part; the proto options switch parts off per
// method; every call gets one observer that runs the parts in order, keeps whatever a
// part throws away from the call (reported once) and chains the contexts the parts
// return into the one the call runs in.

/** A client's or server's telemetry, resolved: the observer of each of its methods. */
export interface ResolvedTelemetry {
  /** The observer of one method of a client on `target`; undefined when nothing observes it. */
  clientMethodObserver(method: MethodDefinition, target: string): MethodObserver<ClientCallStart> | undefined;
  /** The observer of one method of a server; undefined when nothing observes it. */
  serverMethodObserver(method: MethodDefinition): MethodObserver<ServerCallStart> | undefined;
}

/** The proto options that switch a part off for a method. */
type Switch = keyof Pick<MethodTelemetry, "tracing" | "metrics">;

/** One part of the telemetry, as the hub runs it. */
interface Part {
  readonly observer: TelemetryObserver;
  /** The proto option that switches this part off for a method, if any. */
  readonly switchedBy?: Switch;
  /** Reports what the part threw, once per process and part. */
  readonly report: (err: unknown) => void;
}

/** One part's observer of one method. */
interface MethodPart<S> {
  readonly observer: MethodObserver<S>;
  readonly report: (err: unknown) => void;
}

/** Resolves a client's or server's `telemetry` option once, at its creation. */
export function resolveTelemetry(option: TelemetryOption | undefined): ResolvedTelemetry | undefined {
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
  // Named by position: failures are reported once per name, and each observer's count.
  for (const [i, observer] of (options.observers ?? []).entries()) {
    parts.push(part(`the telemetry observer observers[${String(i)}]`, observer));
  }
  if (parts.length === 0) {
    return undefined;
  }
  // A client asks for each of its methods with the same target.
  const parsedTarget = memoLast(parseTarget);
  return {
    clientMethodObserver(method, target) {
      const facts: ClientMethodFacts = { side: "client", method, labels: labelCombinations(method), client: { target, server: parsedTarget(target) } };
      return guardedChain(setUp(parts, method, (p) => p.observeClientMethod?.(facts)));
    },
    serverMethodObserver(method) {
      const facts: ServerMethodFacts = { side: "server", method, labels: labelCombinations(method) };
      return guardedChain(setUp(parts, method, (p) => p.observeServerMethod?.(facts)));
    },
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
function part(name: string, observer: TelemetryObserver, switchedBy?: Switch): Part {
  const report = (err: unknown): void => {
    reportOnce(`${name} failed`, () => {
      diag.error(`protoc-gen-ts-otel-runtime: ${name} failed; calls go on without it where it fails`, err);
    });
  };
  return switchedBy === undefined ? { observer, report } : { observer, report, switchedBy };
}

/**
 * Every part's observer of one method, in order: none for a part the proto switched
 * off (no spans, or no series, zero series included), that observes nothing, or that
 * threw while setting up.
 */
function setUp<S>(
  parts: readonly Part[],
  method: MethodDefinition,
  observe: (observer: TelemetryObserver) => MethodObserver<S> | undefined,
): MethodPart<S>[] {
  const methodParts: MethodPart<S>[] = [];
  for (const { observer, switchedBy, report } of parts) {
    if (switchedBy !== undefined && method.telemetry?.[switchedBy] === false) {
      continue;
    }
    try {
      const methodObserver = observe(observer);
      if (methodObserver !== undefined) {
        methodParts.push({ observer: methodObserver, report });
      }
    } catch (err) {
      report(err);
    }
  }
  return methodParts;
}

/**
 * The parts' observers of one method as one: each call starts every part in order,
 * from the context the one before returned, and gets one observer for all of them; a
 * method owns its spans if any part makes spans.
 */
function guardedChain<S extends { readonly context: Context }>(parts: readonly MethodPart<S>[]): MethodObserver<S> | undefined {
  if (parts.length === 0) {
    return undefined;
  }
  return {
    ownsSpans: parts.some((p) => p.observer.ownsSpans === true),
    start(call) {
      // Sized to the parts: an empty array's first push reserves 16 slots.
      const observers = new Array<CallObserver>(parts.length);
      let current = call;
      let context = call.context;
      let grpcContext: Context | undefined;
      let takesHeaders = false;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as MethodPart<S>;
        // Only a part that changed the context (tracing) costs the next one a copy of
        // the call's start; the last part, or a metrics part, costs none.
        if (context !== current.context) {
          current = { ...current, context };
        }
        let started: CallObserver;
        try {
          started = part.observer.start(current);
        } catch (err) {
          // The call goes on without this part, from the context it would have had.
          part.report(err);
          observers[i] = IDLE;
          continue;
        }
        observers[i] = started;
        takesHeaders ||= started.headers !== undefined;
        grpcContext = started.grpcContext ?? grpcContext;
        context = started.context;
      }
      const Chain = takesHeaders ? HeaderTakingChain : GuardedCallChain;
      return new Chain(observers, parts, context, grpcContext);
    },
  };
}

/** Stands in for a part whose start threw, so that a call's observers line up with the method's parts. */
const IDLE: CallObserver = {
  context: ROOT_CONTEXT,
  messageSent: () => undefined,
  messageReceived: () => undefined,
  end: () => undefined,
};

/**
 * One call's observer, the only wrapper a call gets: hands each event to every part
 * that started, in order, and lets nothing a part throws reach the call or the parts
 * after it. The loops are written out: one shared loop taking the event as a function
 * would add a call per part to every event. Headers go only to a chain with an observer
 * that takes them (`HeaderTakingChain`): a client call whose chain has none does not
 * listen for them.
 */
class GuardedCallChain implements CallObserver {
  constructor(
    protected readonly observers: readonly CallObserver[],
    /** The method's parts, whose reports say what `observers[i]` threw. */
    protected readonly parts: readonly MethodPart<unknown>[],
    readonly context: Context,
    readonly grpcContext: Context | undefined,
  ) {}

  messageSent(size: number): void {
    const { observers } = this;
    for (let i = 0; i < observers.length; i++) {
      try {
        observers[i]?.messageSent(size);
      } catch (err) {
        this.parts[i]?.report(err);
      }
    }
  }

  messageReceived(size: number): void {
    const { observers } = this;
    for (let i = 0; i < observers.length; i++) {
      try {
        observers[i]?.messageReceived(size);
      } catch (err) {
        this.parts[i]?.report(err);
      }
    }
  }

  end(result: CallResult): void {
    const { observers } = this;
    for (let i = 0; i < observers.length; i++) {
      try {
        observers[i]?.end(result);
      } catch (err) {
        this.parts[i]?.report(err);
      }
    }
  }
}

/** The chain of a call one of whose observers takes the response headers. */
class HeaderTakingChain extends GuardedCallChain {
  headers(metadata: Metadata): void {
    const { observers } = this;
    for (let i = 0; i < observers.length; i++) {
      try {
        observers[i]?.headers?.(metadata);
      } catch (err) {
        this.parts[i]?.report(err);
      }
    }
  }
}
