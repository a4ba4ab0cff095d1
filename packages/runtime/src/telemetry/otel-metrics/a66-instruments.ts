import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import { A66, A66_LATENCY_BUCKETS_SECONDS, A66_SIZE_BUCKETS_BYTES } from "../semconv.js";
import type { Side } from "../../observer.js";

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

export function createA66Instruments(meter: Meter, side: Side): A66Instruments {
  const latency = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "s", description, advice: { explicitBucketBoundaries: [...A66_LATENCY_BUCKETS_SECONDS] } });
  const size = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "By", description, advice: { explicitBucketBoundaries: [...A66_SIZE_BUCKETS_BYTES] } });
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
