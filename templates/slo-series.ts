import { GRPC_CODE_NAMES, PROMETHEUS, PROMETHEUS_LABEL } from "../packages/runtime/src/telemetry/semconv.js";

// The series the generated SLO rules record and the dashboards read, and the PromQL
// pieces both print. The names keep off the shipped rules' (grpc_server_method:…), so
// both files can be loaded side by side without recording the same series twice.

export const SLO_SERIES = {
  /** The objective of one method and SLO (`slo` label), a constant. */
  OBJECTIVE: "grpc_server_slo:objective:ratio",
  /** The share of the error budget of the SLO window still left (`slo` label); below 0 when overspent. */
  BUDGET_REMAINING: "grpc_server_slo:error_budget_remaining:ratio",
  /** Calls that ended with one of the method's error codes, per call, over a window (suffix). */
  ERRORS: "grpc_server_slo:errors_per_call:ratio_rate",
  /** Calls slower than the method's threshold, per call, over a window (suffix). */
  SLOW_CALLS: "grpc_server_slo:slow_calls_per_call:ratio_rate",
} as const;

/** What every recorded per-method series keeps of the go-grpc-prometheus labels (instance and request labels are summed away). */
export const PER_METHOD = `sum by (job, ${PROMETHEUS_LABEL.TYPE}, ${PROMETHEUS_LABEL.SERVICE}, ${PROMETHEUS_LABEL.METHOD})`;

export const HANDLED = PROMETHEUS.SERVER_HANDLED;
export const HANDLING_BUCKET = `${PROMETHEUS.SERVER_HANDLING_SECONDS}_bucket`;
export const HANDLING_COUNT = `${PROMETHEUS.SERVER_HANDLING_SECONDS}_count`;

/** `grpc_service="shop.v1.OrderService", grpc_method="GetOrder"`. */
export function methodMatchers(service: string, method: string): string {
  return `${PROMETHEUS_LABEL.SERVICE}=${JSON.stringify(service)}, ${PROMETHEUS_LABEL.METHOD}=${JSON.stringify(method)}`;
}

/**
 * The grpc_code matcher of error codes, Go's spelling (the runtime's default) then the
 * canonical one (`codeNames: "canonical"`, nice-grpc-prometheus, Java, Python).
 */
export function codeMatcher(codes: readonly number[]): string {
  const names = (spelling: "go" | "canonical"): string[] => codes.map((code) => GRPC_CODE_NAMES[code]?.[spelling] ?? `Code(${code})`);
  return `${PROMETHEUS_LABEL.CODE}=~"${[...new Set([...names("go"), ...names("canonical")])].join("|")}"`;
}

/**
 * The `le` matcher of a bucket bound. Prometheus 3 stores the `le` of an integral bound
 * as `1.0` where clients write `1`, so such a bound matches both.
 */
export function leMatcher(bound: number): string {
  const text = String(bound);
  return /^\d+$/.test(text) ? `le=~"${text}(\\\\.0)?"` : `le="${text}"`;
}

/** 0.9995 → `99.95%`. */
export function percent(ratio: number): string {
  return `${String(Number((ratio * 100).toPrecision(10)))}%`;
}

/** 0.25 → `250 ms`, 1 → `1 s`. */
export function duration(seconds: number): string {
  return seconds < 1 ? `${String(Number((seconds * 1000).toPrecision(10)))} ms` : `${String(seconds)} s`;
}
