// The hand-written floor: the telemetry ours emits by default (TELEMETRY.md's spans,
// `rpc.*.call.duration`, the go-grpc-prometheus families), done as plainly and
// cheaply as an application could do it by hand around bare grpc-js with the same SDK:
// every option, attribute set and prom-client child built once per method (per status
// code, per peer), so that a call pays only for what any instrumentation must pay — a
// span started and ended, a W3C inject or extract, one histogram record, prom-client
// children incremented and observed. What ours costs beyond it is ours to remove.
import { SpanKind, SpanStatusCode, metrics, trace } from "@opentelemetry/api";
import type { Attributes, Histogram as OtelHistogram, Span, SpanOptions, Tracer } from "@opentelemetry/api";
import { status } from "@grpc/grpc-js";
import { Counter, Histogram } from "prom-client";
import type { MethodDefinition } from "protoc-gen-ts-otel-runtime";
import type { CallHooks, MethodName } from "../call-hooks.js";
import { TestServiceDefinition } from "../messages.js";

/** Which telemetry a floor variant emits. */
export type FloorParts = "traces" | "prometheus" | "full";

export type Side = "client" | "server";

const TYPE_LABEL = { unary: "unary", server_streaming: "server_stream", client_streaming: "client_stream", bidi_streaming: "bidi_stream" } as const;
const LABELS = ["grpc_type", "grpc_service", "grpc_method"] as const;
/** The bucket advice of ours's duration histograms (TELEMETRY.md §2). */
const DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** `host:port`, `[v6]:port` or `host` as `server.address`-style attributes. */
export function addressAttributes(hostPort: string, address: string, port: string): Attributes {
  const colon = hostPort.lastIndexOf(":");
  if (colon <= 0 || hostPort.endsWith("]")) {
    return { [address]: hostPort.replace(/^\[|\]$/g, "") };
  }
  return { [address]: hostPort.slice(0, colon).replace(/^\[|\]$/g, ""), [port]: Number(hostPort.slice(colon + 1)) };
}

/** Attribute sets of a peer, rebuilt only when the peer changes (one connection: never). */
export class PeerAttributes {
  private peer = "";
  private attributes: Attributes = {};

  of(peer: string): Attributes {
    if (peer !== this.peer) {
      this.peer = peer;
      this.attributes = addressAttributes(peer, "network.peer.address", "network.peer.port");
    }
    return this.attributes;
  }
}

interface PrometheusFamilies {
  readonly started: Counter;
  readonly handled: Counter;
  readonly received: Counter;
  readonly sent: Counter;
  readonly handling: Histogram;
}

/** The instruments of one side, made once per process. */
export class FloorSide {
  readonly tracer: Tracer | undefined;
  readonly duration: OtelHistogram | undefined;
  readonly prometheus: PrometheusFamilies | undefined;

  constructor(
    readonly side: Side,
    parts: FloorParts,
  ) {
    this.tracer = parts === "prometheus" ? undefined : trace.getTracer("bench-floor");
    this.duration =
      parts === "full"
        ? metrics.getMeter("bench-floor").createHistogram(`rpc.${side}.call.duration`, { unit: "s", advice: { explicitBucketBoundaries: DURATION_BOUNDS } })
        : undefined;
    if (parts !== "traces") {
      const counter = (what: string, labelNames: readonly string[] = LABELS): Counter =>
        new Counter({ name: `grpc_${side}_${what}_total`, help: `${what} (the floor)`, labelNames });
      this.prometheus = {
        started: counter("started"),
        handled: counter("handled", [...LABELS, "grpc_code"]),
        received: counter("msg_received"),
        sent: counter("msg_sent"),
        // prom-client's default buckets are go-grpc-prometheus's, and ours's.
        handling: new Histogram({ name: `grpc_${side}_handling_seconds`, help: "handling (the floor)", labelNames: LABELS }),
      };
    }
  }
}

/**
 * Everything the calls of one method on one side reuse. `serverAttributes`: on clients
 * the target's `server.address` and `server.port`, on spans and metric points alike.
 */
export class FloorMethod {
  readonly tracer: Tracer | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  /** Whether a call needs its start time: for the histograms. */
  readonly timed: boolean;
  readonly started: Counter.Internal | undefined;
  readonly received: Counter.Internal | undefined;
  readonly sent: Counter.Internal | undefined;
  readonly handling: Histogram.Internal<string> | undefined;
  readonly duration: OtelHistogram | undefined;
  private readonly methodAttributes: Attributes;
  private readonly labels: Record<(typeof LABELS)[number], string>;
  private readonly handledCounter: Counter | undefined;
  private readonly handled: (Counter.Internal | undefined)[] = [];
  private readonly endAttributes: (Attributes | undefined)[] = [];
  private readonly pointAttributes: (Attributes | undefined)[] = [];
  private spanHost: string | undefined;
  private spanOptions: SpanOptions;

  constructor(side: FloorSide, definition: MethodDefinition, serverAttributes: Attributes) {
    this.tracer = side.tracer;
    this.name = definition.fullName;
    this.kind = side.side === "client" ? SpanKind.CLIENT : SpanKind.SERVER;
    this.methodAttributes = { "rpc.system.name": "grpc", "rpc.method": definition.fullName, ...serverAttributes };
    this.spanOptions = { kind: this.kind, attributes: this.methodAttributes };
    const prometheus = side.prometheus;
    this.duration = side.duration;
    this.timed = this.duration !== undefined || prometheus !== undefined;
    this.labels = { grpc_type: TYPE_LABEL[definition.kind], grpc_service: definition.service, grpc_method: definition.name };
    this.started = prometheus?.started.labels(this.labels);
    this.received = prometheus?.received.labels(this.labels);
    this.sent = prometheus?.sent.labels(this.labels);
    this.handling = prometheus?.handling.labels(this.labels);
    this.handledCounter = prometheus?.handled;
  }

  /** A call begins: its start time when timed, its span when tracing (started by the side's hooks). */
  begin(span: Span | undefined): CallHooks {
    this.started?.inc();
    return new FloorCall(this, span, this.timed ? performance.now() : 0);
  }

  /** The span's start options; on servers with the `:authority` as `server.address`, as ours has them. */
  startOptions(host?: string): SpanOptions {
    if (host !== undefined && host !== this.spanHost) {
      this.spanHost = host;
      this.spanOptions = { kind: this.kind, attributes: { ...this.methodAttributes, ...addressAttributes(host, "server.address", "server.port") } };
    }
    return this.spanOptions;
  }

  handledFor(code: number): Counter.Internal | undefined {
    return (this.handled[code] ??= this.handledCounter?.labels({ ...this.labels, grpc_code: status[code] ?? String(code) }));
  }

  /** The span attributes of the status (`rpc.response.status_code`, `error.type` on errors). */
  statusAttributes(code: number): Attributes {
    return (this.endAttributes[code] ??= statusOf(code));
  }

  /** The metric points' attributes: the method's with the status's. */
  metricAttributes(code: number): Attributes {
    return (this.pointAttributes[code] ??= { ...this.methodAttributes, ...statusOf(code) });
  }
}

/** The floor of each TestService method on one side. */
export function floorMethods(side: FloorSide, serverAttributes: Attributes): Record<MethodName, FloorMethod> {
  const methods = TestServiceDefinition.methods;
  return {
    unary: new FloorMethod(side, methods.unary, serverAttributes),
    serverStream: new FloorMethod(side, methods.serverStream, serverAttributes),
    clientStream: new FloorMethod(side, methods.clientStream, serverAttributes),
    bidiStream: new FloorMethod(side, methods.bidiStream, serverAttributes),
  };
}

const OK: number = status.OK;

function statusOf(code: number): Attributes {
  const name = status[code] ?? String(code);
  return code === OK ? { "rpc.response.status_code": name } : { "rpc.response.status_code": name, "error.type": name };
}

const clientPeers = new PeerAttributes();

class FloorCall implements CallHooks {
  constructor(
    private readonly method: FloorMethod,
    private readonly span: Span | undefined,
    private readonly startMs: number,
  ) {}

  sent(): void {
    this.method.sent?.inc();
  }

  received(): void {
    this.method.received?.inc();
  }

  end(code: number, peer?: string): void {
    const { method, span } = this;
    if (method.timed) {
      const seconds = (performance.now() - this.startMs) / 1000;
      method.handledFor(code)?.inc();
      method.handling?.observe(seconds);
      method.duration?.record(seconds, method.metricAttributes(code));
    }
    if (span !== undefined) {
      span.setAttributes(method.statusAttributes(code));
      if (peer !== undefined) {
        span.setAttributes(clientPeers.of(peer));
      }
      if (code !== OK) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  }
}
