import type { Histogram, Meter } from "@opentelemetry/api";
import { A66_COUNT_BUCKETS, A66_SIZE_BUCKETS_BYTES } from "./a66-buckets.js";
import type { Side } from "./side.js";

// The per-message size and messages-per-call histograms of the experimental RPC
// conventions (up to v1.37 of the semantic conventions), which the stable ones dropped;
// opt-in, for users who want the sizes that only a serializing runtime knows exactly.
const MESSAGE_SIZE_METRIC = {
  SERVER_REQUEST_SIZE: "rpc.server.request.size",
  SERVER_RESPONSE_SIZE: "rpc.server.response.size",
  SERVER_REQUESTS_PER_RPC: "rpc.server.requests_per_rpc",
  SERVER_RESPONSES_PER_RPC: "rpc.server.responses_per_rpc",
  CLIENT_REQUEST_SIZE: "rpc.client.request.size",
  CLIENT_RESPONSE_SIZE: "rpc.client.response.size",
  CLIENT_REQUESTS_PER_RPC: "rpc.client.requests_per_rpc",
  CLIENT_RESPONSES_PER_RPC: "rpc.client.responses_per_rpc",
} as const;

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
