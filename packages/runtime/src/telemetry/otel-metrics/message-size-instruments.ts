import type { Histogram, Meter } from "@opentelemetry/api";
import { A66_COUNT_BUCKETS, A66_SIZE_BUCKETS_BYTES, MESSAGE_SIZE_METRIC } from "../semconv.js";
import type { Side } from "../../observer.js";

// Opt-in: sizes only a serializing runtime knows exactly.

/** Sizes of the messages this side sent and received, each when it happens, and counts per call. */
export interface MessageSizeInstruments {
  readonly sentSize: Histogram;
  readonly receivedSize: Histogram;
  readonly sentPerCall: Histogram;
  readonly receivedPerCall: Histogram;
}

export function createMessageSizeInstruments(meter: Meter, side: Side): MessageSizeInstruments {
  const size = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "By", description, advice: { explicitBucketBoundaries: [...A66_SIZE_BUCKETS_BYTES] } });
  const count = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "{count}", description, advice: { explicitBucketBoundaries: [...A66_COUNT_BUCKETS] } });
  const request = size(
    side === "server" ? MESSAGE_SIZE_METRIC.SERVER_REQUEST_SIZE : MESSAGE_SIZE_METRIC.CLIENT_REQUEST_SIZE,
    "Measures the size of RPC request messages (uncompressed).",
  );
  const response = size(
    side === "server" ? MESSAGE_SIZE_METRIC.SERVER_RESPONSE_SIZE : MESSAGE_SIZE_METRIC.CLIENT_RESPONSE_SIZE,
    "Measures the size of RPC response messages (uncompressed).",
  );
  const requests = count(
    side === "server" ? MESSAGE_SIZE_METRIC.SERVER_REQUESTS_PER_RPC : MESSAGE_SIZE_METRIC.CLIENT_REQUESTS_PER_RPC,
    "Measures the number of request messages per RPC.",
  );
  const responses = count(
    side === "server" ? MESSAGE_SIZE_METRIC.SERVER_RESPONSES_PER_RPC : MESSAGE_SIZE_METRIC.CLIENT_RESPONSES_PER_RPC,
    "Measures the number of response messages per RPC.",
  );
  // A server receives requests and sends responses; a client the other way round.
  return side === "server"
    ? { sentSize: response, receivedSize: request, sentPerCall: responses, receivedPerCall: requests }
    : { sentSize: request, receivedSize: response, sentPerCall: requests, receivedPerCall: responses };
}
