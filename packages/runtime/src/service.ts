import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Attributes } from "@opentelemetry/api";

/** The four gRPC call kinds, spelled as protobuf-es spells them. */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** One RPC as the generated method table states it. */
export interface MethodSpec<K extends MethodKind, I extends DescMessage, O extends DescMessage> {
  /** The method's name in the proto file, e.g. `GetUser`. */
  readonly name: string;
  readonly kind: K;
  readonly input: I;
  readonly output: O;
  /** Telemetry switches set in the proto (tsotel.v1 options), where they differ from the defaults. */
  readonly telemetry?: MethodTelemetry | undefined;
  /**
   * Span attributes lifted from the request (the `span_attributes` proto option), by
   * generated code. A method signature: its parameter must stay bivariant for the
   * table's types to be inferred.
   */
  spanAttributes?(request: MessageShape<I>): Attributes;
  /**
   * Labels lifted from the request onto the method's metrics (the `metric_labels`
   * proto option), each with every value it can take, so that the series of every
   * value exist from the start.
   */
  readonly metricLabels?: readonly MetricLabel<I>[] | undefined;
}

/**
 * One metric label lifted from an enum or bool request field, as generated code states
 * it: its names and its values are fixed when generating, so the number of series is.
 */
export interface MetricLabel<I extends DescMessage = DescMessage> {
  /** The attribute name on the OpenTelemetry duration histograms, e.g. `order.status`. */
  readonly attribute: string;
  /** The Prometheus label name: the attribute name with dots as underscores, e.g. `order_status`. */
  readonly label: string;
  /** Every value the field can take, e.g. `["ORDER_STATUS_UNSPECIFIED", "ORDER_STATUS_OPEN"]`; `_OTHER` comes after them. */
  readonly values: readonly string[];
  /**
   * The position of the request's value in `values`, or `values.length` for `_OTHER`.
   * A method signature: its parameter must stay bivariant for the table's types to be inferred.
   */
  index(request: MessageShape<I>): number;
}

/** Per-method telemetry switches from the proto options. */
export interface MethodTelemetry {
  /** `false`: no spans for this method. */
  readonly tracing?: boolean | undefined;
  /** `false`: no OpenTelemetry or Prometheus metrics (and no zero series) for this method. */
  readonly metrics?: boolean | undefined;
  /** `true`: rpc.message events on this method's spans. */
  readonly messageEvents?: boolean | undefined;
}

/**
 * One RPC with every name derived once, when the table is defined: nothing about a
 * method is computed again per call.
 */
export interface MethodDefinition<
  K extends MethodKind = MethodKind,
  I extends DescMessage = DescMessage,
  O extends DescMessage = DescMessage,
> extends MethodSpec<K, I, O> {
  /** Fully-qualified service name, e.g. `user.v1.UserService`. */
  readonly service: string;
  /** `user.v1.UserService/GetUser`: the span name and the `rpc.method` of the new conventions. */
  readonly fullName: string;
  /** `/user.v1.UserService/GetUser`: the HTTP/2 path. */
  readonly path: string;
  /** Position in the service, in proto order. */
  readonly index: number;
}

export type UnaryMethod<I extends DescMessage, O extends DescMessage> = MethodDefinition<"unary", I, O>;
export type ServerStreamingMethod<I extends DescMessage, O extends DescMessage> = MethodDefinition<
  "server_streaming",
  I,
  O
>;
export type ClientStreamingMethod<I extends DescMessage, O extends DescMessage> = MethodDefinition<
  "client_streaming",
  I,
  O
>;
export type BidiStreamingMethod<I extends DescMessage, O extends DescMessage> = MethodDefinition<
  "bidi_streaming",
  I,
  O
>;

/** A generated service: its name and its methods by the member names generated code uses. */
export interface ServiceDefinition<M extends Record<string, MethodDefinition> = Record<string, MethodDefinition>> {
  readonly typeName: string;
  readonly methods: M;
  /** The same methods in proto order. */
  readonly methodList: readonly MethodDefinition[];
}

type DefinitionOf<S> = S extends MethodSpec<infer K, infer I, infer O> ? MethodDefinition<K, I, O> : never;

/**
 * Builds the method table of a service. Generated code calls it once per service at
 * module load; the result is immutable.
 */
export function defineService<const S extends Record<string, MethodSpec<MethodKind, DescMessage, DescMessage>>>(
  typeName: string,
  specs: S,
): ServiceDefinition<{ -readonly [K in keyof S]: DefinitionOf<S[K]> }> {
  // A null prototype: method member names may be `constructor` or `__proto__`.
  const methods: Record<string, MethodDefinition> = Object.create(null) as Record<string, MethodDefinition>;
  const methodList: MethodDefinition[] = [];
  for (const [member, spec] of Object.entries(specs)) {
    const fullName = `${typeName}/${spec.name}`;
    const method: MethodDefinition = Object.freeze({
      name: spec.name,
      kind: spec.kind,
      input: spec.input,
      output: spec.output,
      ...(spec.telemetry === undefined ? {} : { telemetry: spec.telemetry }),
      ...(spec.spanAttributes === undefined ? {} : { spanAttributes: spec.spanAttributes.bind(spec) }),
      ...(spec.metricLabels === undefined ? {} : { metricLabels: spec.metricLabels }),
      service: typeName,
      fullName,
      path: `/${fullName}`,
      index: methodList.length,
    });
    methods[member] = method;
    methodList.push(method);
  }
  return Object.freeze({
    typeName,
    methods: Object.freeze(methods) as { -readonly [K in keyof S]: DefinitionOf<S[K]> },
    methodList: Object.freeze(methodList),
  });
}
