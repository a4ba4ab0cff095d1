import type { Histogram, Meter, UpDownCounter } from "@opentelemetry/api";
import { DURATION_BUCKETS_SECONDS, METRIC } from "../semconv.js";
import type { SemconvMode } from "../semconv.js";
import { createA66Instruments } from "./a66-instruments.js";
import type { A66Instruments } from "./a66-instruments.js";
import { createMessageSizeInstruments } from "./message-size-instruments.js";
import type { MessageSizeInstruments } from "./message-size-instruments.js";
import type { MetricsOptions } from "./metrics-options.js";
import type { Side } from "../../observer.js";

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

export function createSideInstruments(meter: Meter, side: Side, mode: SemconvMode, options: MetricsOptions): SideInstruments {
  const server = side === "server";
  return {
    duration:
      mode === "legacy"
        ? undefined
        : meter.createHistogram(server ? METRIC.SERVER_CALL_DURATION : METRIC.CLIENT_CALL_DURATION, {
            unit: "s",
            description: server ? "Measures the duration of incoming remote procedure calls (RPC)." : "Measures the duration of outgoing remote procedure calls (RPC).",
            advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
          }),
    legacyDuration:
      mode === "new"
        ? undefined
        : meter.createHistogram(server ? METRIC.LEGACY_SERVER_DURATION : METRIC.LEGACY_CLIENT_DURATION, {
            unit: "ms",
            description: server ? "Measures the duration of inbound RPC." : "Measures the duration of outbound RPC.",
          }),
    a66: options.a66 === true ? createA66Instruments(meter, side) : undefined,
    messageSizes: options.messageSizes === true ? createMessageSizeInstruments(meter, side) : undefined,
    activeRequests:
      options.activeRequests === true
        ? meter.createUpDownCounter(server ? METRIC.SERVER_ACTIVE_REQUESTS : METRIC.CLIENT_ACTIVE_REQUESTS, {
            unit: "{request}",
            description: server ? "Number of incoming RPCs in progress." : "Number of outgoing RPCs in progress.",
          })
        : undefined,
  };
}
