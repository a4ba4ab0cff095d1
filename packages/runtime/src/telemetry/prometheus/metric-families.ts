import { PROMETHEUS } from "../semconv.js";
import type { CounterCell, HistogramCell } from "./cells.js";
import type { Side } from "../../observer.js";
import type { MethodSeries, SeriesShape } from "./method-series.js";

/** A counter family: its name, help text, and the cells of a method that it shows. */
export interface CounterFamily {
  readonly type: "counter";
  readonly name: string;
  readonly help: string;
  cells(series: MethodSeries): Iterable<CounterCell>;
}

/** A histogram family: its name, help text, and the cell of a method that it shows. */
export interface HistogramFamily {
  readonly type: "histogram";
  readonly name: string;
  readonly help: string;
  cell(series: MethodSeries): HistogramCell | undefined;
}

/** A gauge family, shown as counters are. */
export interface GaugeFamily extends Omit<CounterFamily, "type"> {
  readonly type: "gauge";
}

export type MetricFamily = CounterFamily | GaugeFamily | HistogramFamily;

// Names, help texts and counting points are go-grpc-prometheus's (docs/telemetry.md#prometheus-metrics), so
// dashboards and queries written for it work unchanged.

const SERVER_COUNTERS: readonly CounterFamily[] = [
  {
    type: "counter",
    name: PROMETHEUS.SERVER_STARTED,
    help: "Total number of RPCs started on the server.",
    cells: (s) => [s.started],
  },
  {
    type: "counter",
    name: PROMETHEUS.SERVER_HANDLED,
    help: "Total number of RPCs completed on the server, regardless of success or failure.",
    cells: (s) => s.handledCells(),
  },
  {
    type: "counter",
    name: PROMETHEUS.SERVER_MSG_RECEIVED,
    help: "Total number of RPC stream messages received on the server.",
    cells: (s) => [s.received],
  },
  {
    type: "counter",
    name: PROMETHEUS.SERVER_MSG_SENT,
    help: "Total number of gRPC stream messages sent by the server.",
    cells: (s) => [s.sent],
  },
];

const SERVER_HANDLING: HistogramFamily = {
  type: "histogram",
  name: PROMETHEUS.SERVER_HANDLING_SECONDS,
  help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
  cell: (s) => s.handling,
};

const CLIENT_COUNTERS: readonly CounterFamily[] = [
  {
    type: "counter",
    name: PROMETHEUS.CLIENT_STARTED,
    help: "Total number of RPCs started on the client.",
    cells: (s) => [s.started],
  },
  {
    type: "counter",
    name: PROMETHEUS.CLIENT_HANDLED,
    help: "Total number of RPCs completed by the client, regardless of success or failure.",
    cells: (s) => s.handledCells(),
  },
  {
    type: "counter",
    name: PROMETHEUS.CLIENT_MSG_RECEIVED,
    help: "Total number of RPC stream messages received by the client.",
    cells: (s) => [s.received],
  },
  {
    type: "counter",
    name: PROMETHEUS.CLIENT_MSG_SENT,
    help: "Total number of gRPC stream messages sent by the client.",
    cells: (s) => [s.sent],
  },
];

const CLIENT_HANDLING: HistogramFamily = {
  type: "histogram",
  name: PROMETHEUS.CLIENT_HANDLING_SECONDS,
  help: "Histogram of response latency (seconds) of the gRPC until it is finished by the application.",
  cell: (s) => s.handling,
};

const CLIENT_MESSAGE_HISTOGRAMS: readonly HistogramFamily[] = [
  {
    type: "histogram",
    name: PROMETHEUS.CLIENT_MSG_RECV_HANDLING_SECONDS,
    help: "Histogram of response latency (seconds) of the gRPC single message receive.",
    cell: (s) => s.receiveHandling,
  },
  {
    type: "histogram",
    name: PROMETHEUS.CLIENT_MSG_SEND_HANDLING_SECONDS,
    help: "Histogram of response latency (seconds) of the gRPC single message send.",
    cell: (s) => s.sendHandling,
  },
];

const IN_FLIGHT: Record<Side, GaugeFamily> = {
  server: {
    type: "gauge",
    name: PROMETHEUS.SERVER_IN_FLIGHT,
    help: "Number of RPCs started on the server and not yet completed.",
    cells: (s) => (s.inFlight === undefined ? [] : [s.inFlight]),
  },
  client: {
    type: "gauge",
    name: PROMETHEUS.CLIENT_IN_FLIGHT,
    help: "Number of RPCs started by the client and not yet completed.",
    cells: (s) => (s.inFlight === undefined ? [] : [s.inFlight]),
  },
};

// py-grpc-prometheus with legacy=True (py_grpc_prometheus/server_metrics.py and
// client_metrics.py). The server keeps grpc_server_handled_total, with the code under
// `code` (set by MethodSeries); the client's handled counter and both sides' handling
// histograms take these names.
const LEGACY_CLIENT_COMPLETED: CounterFamily = {
  type: "counter",
  name: PROMETHEUS.LEGACY_CLIENT_COMPLETED,
  help: "Total number of RPCs completed on the client, regardless of success or failure.",
  cells: (s) => s.handledCells(),
};

const LEGACY_HANDLING: Record<Side, HistogramFamily> = {
  server: {
    type: "histogram",
    name: PROMETHEUS.LEGACY_SERVER_HANDLED_LATENCY_SECONDS,
    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server",
    cell: (s) => s.handling,
  },
  client: {
    type: "histogram",
    name: PROMETHEUS.LEGACY_CLIENT_COMPLETED_LATENCY_SECONDS,
    help: "Histogram of rpc response latency (in seconds) for completed rpcs.",
    cell: (s) => s.handling,
  },
};

/** The families one side shows in a registry of the given shape. */
export function familiesOf(side: Side, shape: SeriesShape): readonly MetricFamily[] {
  const inFlight = shape.inFlight ? [IN_FLIGHT[side]] : [];
  if (shape.legacyNames) {
    const counters =
      side === "server" ? SERVER_COUNTERS : CLIENT_COUNTERS.map((family) => (family.name === PROMETHEUS.CLIENT_HANDLED ? LEGACY_CLIENT_COMPLETED : family));
    return [...counters, ...(shape.handlingHistogram ? [LEGACY_HANDLING[side]] : []), ...inFlight];
  }
  if (side === "server") {
    return [...SERVER_COUNTERS, ...(shape.handlingHistogram ? [SERVER_HANDLING] : []), ...inFlight];
  }
  return [
    ...CLIENT_COUNTERS,
    ...(shape.handlingHistogram ? [CLIENT_HANDLING] : []),
    ...(shape.messageHistograms ? CLIENT_MESSAGE_HISTOGRAMS : []),
    ...inFlight,
  ];
}
