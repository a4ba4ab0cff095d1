import { PROMETHEUS } from "../semconv.js";
import type { CounterCell } from "./counter-cell.js";
import type { HistogramCell } from "./histogram-cell.js";
import type { MethodSeries, SeriesShape, Side } from "./method-series.js";

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

export type MetricFamily = CounterFamily | HistogramFamily;

// Names, help texts and counting points are go-grpc-prometheus's (TELEMETRY.md §3), so
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

/** The families one side shows in a registry of the given shape. */
export function familiesOf(side: Side, shape: SeriesShape): readonly MetricFamily[] {
  if (side === "server") {
    return [...SERVER_COUNTERS, ...(shape.handlingHistogram ? [SERVER_HANDLING] : [])];
  }
  return [
    ...CLIENT_COUNTERS,
    ...(shape.handlingHistogram ? [CLIENT_HANDLING] : []),
    ...(shape.messageHistograms ? CLIENT_MESSAGE_HISTOGRAMS : []),
  ];
}
