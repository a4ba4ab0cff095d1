import type { Counter, Histogram, Meter, UpDownCounter } from "@opentelemetry/api";
import type { Side } from "../../observer.js";
import type { MetricsOptions } from "../options.js";
import {
  A66,
  A66_COUNT_BUCKETS,
  A66_LATENCY_BUCKETS_SECONDS,
  A66_SIZE_BUCKETS_BYTES,
  DURATION_BUCKETS_SECONDS,
  MESSAGE_SIZE_METRIC,
  METRIC,
} from "../semconv.js";
import type { SemconvMode } from "../semconv.js";

/** The instruments of one side; those the mode or the options leave out are undefined. */
export interface SideInstruments {
  /** `rpc.server.call.duration` / `rpc.client.call.duration` in seconds: new and dup modes. */
  readonly duration: Histogram | undefined;
  /** `rpc.server.duration` / `rpc.client.duration` in milliseconds: legacy and dup modes. */
  readonly legacyDuration: Histogram | undefined;
  readonly a66: A66Instruments | undefined;
  readonly messageSizes: MessageSizeInstruments | undefined;
  /** `rpc.server.active_requests` / `rpc.client.active_requests`, when on. */
  readonly activeRequests: UpDownCounter | undefined;
}

/**
 * The gRFC A66 instruments of one side. A client call is one attempt here (retries,
 * if grpc-js makes any, are inside it), so the attempt and call durations agree.
 */
export interface A66Instruments {
  /** `grpc.server.call.started` / `grpc.client.attempt.started`. */
  readonly started: Counter;
  /** `grpc.server.call.duration`; on clients `grpc.client.attempt.duration` and `grpc.client.call.duration`. */
  readonly durations: readonly Histogram[];
  /** Bytes of every message sent in the call, as serialized (grpc-js compression, if on, is not seen). */
  readonly sentTotal: Histogram;
  readonly receivedTotal: Histogram;
}

/** Opt-in: sizes of the messages this side sent and received, each when it happens, and counts per call. */
export interface MessageSizeInstruments {
  readonly sentSize: Histogram;
  readonly receivedSize: Histogram;
  readonly sentPerCall: Histogram;
  readonly receivedPerCall: Histogram;
}

export function createSideInstruments(meter: Meter, side: Side, mode: SemconvMode, options: MetricsOptions): SideInstruments {
  const server = side === "server";
  const histogram = histogramsOf(meter);
  return {
    duration:
      mode === "legacy"
        ? undefined
        : histogram(
            server ? METRIC.SERVER_CALL_DURATION : METRIC.CLIENT_CALL_DURATION,
            "s",
            server ? "Measures the duration of incoming remote procedure calls (RPC)." : "Measures the duration of outgoing remote procedure calls (RPC).",
            DURATION_BUCKETS_SECONDS,
          ),
    legacyDuration:
      mode === "new"
        ? undefined
        : histogram(
            server ? METRIC.LEGACY_SERVER_DURATION : METRIC.LEGACY_CLIENT_DURATION,
            "ms",
            server ? "Measures the duration of inbound RPC." : "Measures the duration of outbound RPC.",
          ),
    a66: options.a66 === true ? a66Instruments(meter, side) : undefined,
    messageSizes: options.messageSizes === true ? messageSizeInstruments(meter, side) : undefined,
    activeRequests:
      options.activeRequests === true
        ? meter.createUpDownCounter(server ? METRIC.SERVER_ACTIVE_REQUESTS : METRIC.CLIENT_ACTIVE_REQUESTS, {
            unit: "{request}",
            description: server ? "Number of incoming RPCs in progress." : "Number of outgoing RPCs in progress.",
          })
        : undefined,
  };
}

/** Histograms of one meter, with bucket advice when `buckets` is given. */
function histogramsOf(meter: Meter): (name: string, unit: string, description: string, buckets?: readonly number[]) => Histogram {
  return (name, unit, description, buckets) =>
    meter.createHistogram(
      name,
      buckets === undefined ? { unit, description } : { unit, description, advice: { explicitBucketBoundaries: [...buckets] } },
    );
}

function a66Instruments(meter: Meter, side: Side): A66Instruments {
  const histogram = histogramsOf(meter);
  const latency = (name: string, description: string): Histogram => histogram(name, "s", description, A66_LATENCY_BUCKETS_SECONDS);
  const size = (name: string, description: string): Histogram => histogram(name, "By", description, A66_SIZE_BUCKETS_BYTES);
  if (side === "server") {
    return {
      started: meter.createCounter(A66.SERVER_CALL_STARTED, { unit: "{call}", description: "The total number of RPCs started, including those that have not completed." }),
      durations: [latency(A66.SERVER_CALL_DURATION, "End-to-end time an RPC takes from the server transport's perspective.")],
      sentTotal: size(A66.SERVER_CALL_SENT_TOTAL_COMPRESSED_MESSAGE_SIZE, "Total bytes sent across all response messages per RPC."),
      receivedTotal: size(A66.SERVER_CALL_RCVD_TOTAL_COMPRESSED_MESSAGE_SIZE, "Total bytes received across all request messages per RPC."),
    };
  }
  return {
    started: meter.createCounter(A66.CLIENT_ATTEMPT_STARTED, { unit: "{attempt}", description: "The total number of RPC attempts started, including those that have not completed." }),
    durations: [
      latency(A66.CLIENT_ATTEMPT_DURATION, "End-to-end time taken to complete an RPC attempt."),
      latency(A66.CLIENT_CALL_DURATION, "End-to-end time the gRPC library takes to complete an RPC from the application's perspective."),
    ],
    sentTotal: size(A66.CLIENT_ATTEMPT_SENT_TOTAL_COMPRESSED_MESSAGE_SIZE, "Total bytes sent across all request messages per RPC attempt."),
    receivedTotal: size(A66.CLIENT_ATTEMPT_RCVD_TOTAL_COMPRESSED_MESSAGE_SIZE, "Total bytes received across all response messages per RPC attempt."),
  };
}

// Sizes only a serializing runtime knows exactly.
function messageSizeInstruments(meter: Meter, side: Side): MessageSizeInstruments {
  const histogram = histogramsOf(meter);
  const server = side === "server";
  const size = (name: string, description: string): Histogram => histogram(name, "By", description, A66_SIZE_BUCKETS_BYTES);
  const count = (name: string, description: string): Histogram => histogram(name, "{count}", description, A66_COUNT_BUCKETS);
  const request = size(
    server ? MESSAGE_SIZE_METRIC.SERVER_REQUEST_SIZE : MESSAGE_SIZE_METRIC.CLIENT_REQUEST_SIZE,
    "Measures the size of RPC request messages (uncompressed).",
  );
  const response = size(
    server ? MESSAGE_SIZE_METRIC.SERVER_RESPONSE_SIZE : MESSAGE_SIZE_METRIC.CLIENT_RESPONSE_SIZE,
    "Measures the size of RPC response messages (uncompressed).",
  );
  const requests = count(
    server ? MESSAGE_SIZE_METRIC.SERVER_REQUESTS_PER_RPC : MESSAGE_SIZE_METRIC.CLIENT_REQUESTS_PER_RPC,
    "Measures the number of request messages per RPC.",
  );
  const responses = count(
    server ? MESSAGE_SIZE_METRIC.SERVER_RESPONSES_PER_RPC : MESSAGE_SIZE_METRIC.CLIENT_RESPONSES_PER_RPC,
    "Measures the number of response messages per RPC.",
  );
  // A server receives requests and sends responses; a client the other way round.
  return server
    ? { sentSize: response, receivedSize: request, sentPerCall: responses, receivedPerCall: requests }
    : { sentSize: request, receivedSize: response, sentPerCall: requests, receivedPerCall: responses };
}
