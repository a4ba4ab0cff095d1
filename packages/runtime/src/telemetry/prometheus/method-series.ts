import { GRPC_CODE_NAMES, PROMETHEUS_GRPC_TYPE, PROMETHEUS_LABEL, PY_PROMETHEUS_GRPC_TYPE } from "../semconv.js";
import type { Side } from "../../observer.js";
import type { MethodDefinition } from "../../service.js";
import { STATUS_CODE_COUNT, codeName } from "../../errors.js";
import { PerCode } from "../code-tables.js";
import type { GrpcCodeSpelling } from "../options.js";
import { CounterCell, HistogramCell } from "./cells.js";
import type { Labels } from "./cells.js";

/** What every series of a registry looks like; set once per registry. */
export interface SeriesShape {
  /** py-grpc-prometheus's legacy names and label values. */
  readonly legacyNames: boolean;
  readonly codeNames: GrpcCodeSpelling;
  readonly buckets: readonly number[];
  readonly handlingHistogram: boolean;
  readonly messageHistograms: boolean;
  readonly inFlight: boolean;
  /** The exemplar label, or undefined when exemplars are off. */
  readonly exemplarLabel: string | undefined;
}

/**
 * Every number the Prometheus families show for one method on one side of one
 * registry (for a method with metric labels, for one combination of their values),
 * with every label set made here, once. Clients and servers of the same
 * method that report to the same registry share it, so their counts add up instead
 * of splitting or clashing.
 */
export class MethodSeries {
  readonly started: CounterCell;
  readonly received: CounterCell;
  readonly sent: CounterCell;
  /** `grpc_*_handling_seconds`, when on. */
  readonly handling: HistogramCell | undefined;
  /** `grpc_client_msg_send_handling_seconds`, on clients when on. */
  readonly sendHandling: HistogramCell | undefined;
  /** `grpc_client_msg_recv_handling_seconds`, on clients when on. */
  readonly receiveHandling: HistogramCell | undefined;
  /** `grpc_*_requests_in_flight`, when on: calls started and not ended (a cell whose value also goes down). */
  readonly inFlight: CounterCell | undefined;
  /** Show this method's series before they move. */
  zeroSeries = false;
  private readonly labels: Labels;
  /** `handled` by status code: all of gRPC's codes from the start, any other when first seen. */
  private readonly handled: PerCode<CounterCell>;

  /** `requestLabels`: the values of the method's metric labels (from the request) that these series count. */
  constructor(
    side: Side,
    method: MethodDefinition,
    private readonly shape: SeriesShape,
    requestLabels: Labels,
  ) {
    const exemplars = shape.exemplarLabel !== undefined;
    this.labels = Object.freeze({
      [PROMETHEUS_LABEL.TYPE]: (shape.legacyNames ? PY_PROMETHEUS_GRPC_TYPE : PROMETHEUS_GRPC_TYPE)[method.kind],
      [PROMETHEUS_LABEL.SERVICE]: method.service,
      [PROMETHEUS_LABEL.METHOD]: method.name,
      ...requestLabels,
    });
    this.started = new CounterCell(this.labels, exemplars);
    this.received = new CounterCell(this.labels, exemplars);
    this.sent = new CounterCell(this.labels, exemplars);
    this.handled = new PerCode((code) => this.handledCounter(code));
    for (let code = 0; code < STATUS_CODE_COUNT; code++) {
      this.handled.get(code);
    }
    const histogram = (on: boolean): HistogramCell | undefined =>
      on ? new HistogramCell(this.labels, shape.buckets, exemplars) : undefined;
    // py-grpc-prometheus times a server call only when it has a single response.
    const streamsResponses = method.kind === "server_streaming" || method.kind === "bidi_streaming";
    this.handling = histogram(shape.handlingHistogram && !(shape.legacyNames && side === "server" && streamsResponses));
    this.sendHandling = histogram(side === "client" && shape.messageHistograms);
    this.receiveHandling = histogram(side === "client" && shape.messageHistograms);
    // A gauge carries no exemplar: prom-client shows none for gauges.
    this.inFlight = shape.inFlight ? new CounterCell(this.labels, false) : undefined;
  }

  /** The `handled` counter of a status code. */
  handledFor(code: number): CounterCell {
    return this.handled.get(code);
  }

  /** Every `handled` counter: the 17 codes in order, then any other code seen. */
  handledCells(): Iterable<CounterCell> {
    return this.handled.values();
  }

  private handledCounter(code: number): CounterCell {
    const label = this.shape.legacyNames ? PROMETHEUS_LABEL.LEGACY_CODE : PROMETHEUS_LABEL.CODE;
    const labels = Object.freeze({ ...this.labels, [label]: grpcCodeLabel(code, this.shape.codeNames) });
    return new CounterCell(labels, this.shape.exemplarLabel !== undefined);
  }
}

/** `NotFound` for 5, as grpc-go spells it; `Code(<n>)` for a number gRPC does not define. */
function goCodeName(code: number): string {
  return GRPC_CODE_NAMES[code]?.go ?? `Code(${code})`;
}

/** The `grpc_code` label value of a status code in the chosen spelling. */
function grpcCodeLabel(code: number, spelling: GrpcCodeSpelling): string {
  if (spelling === "go") {
    return goCodeName(code);
  }
  return code >= 0 && code < STATUS_CODE_COUNT ? codeName(code) : `Code(${code})`;
}
