import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { LatencyObjective, Slo } from "../gen/tsotel/v1/options_pb.js";
import { GRPC_CODE_NAMES, SERVER_ERROR_CODES } from "../../packages/runtime/src/telemetry/semconv.js";

// The service level objectives the protos declare (the `slo` proto option), resolved
// per method and validated, with every number the rules and the dashboard print
// computed here: error budgets and the burn-rate thresholds of the Google SRE
// workbook's multi-window, multi-burn-rate alerts ("Alerting on SLOs"), scaled to each
// method's window as Sloth does.

/** The window an SLO holds over. */
export interface SloWindow {
  /** As written, e.g. `30d` or `4w`: a Prometheus duration. */
  readonly text: string;
  readonly hours: number;
}

/** One condition of a burn-rate alert: the error ratio above `factor` × budget over both windows. */
export interface BurnCondition {
  readonly long: string;
  readonly short: string;
  /** How many times faster than the budget allows; 14.4 for the 1h window of a 30-day SLO. */
  readonly factor: number;
  /** The share of the window's budget a burn at `factor` spends in the long window. */
  readonly budgetSpent: number;
}

/** One burn-rate alert of a method: page (fast) or ticket (slow). */
export interface BurnAlert {
  readonly speed: "Fast" | "Slow";
  readonly severity: "page" | "ticket";
  readonly for: string;
  readonly conditions: readonly BurnCondition[];
}

export interface AvailabilityObjectiveModel {
  readonly target: number;
  /** 1 − target. */
  readonly budget: number;
  /** The status codes that burn the budget, by number, ascending. */
  readonly errorCodes: readonly number[];
}

export interface LatencyObjectiveModel {
  readonly target: number;
  readonly budget: number;
  readonly thresholdSeconds: number;
}

/** The objectives of one method, every one of them with a budget, alerts and windows. */
export interface MethodSloModel {
  readonly window: SloWindow;
  /** Every rate window the rules record, shortest first: the alerts' windows and the SLO window. */
  readonly rateWindows: readonly string[];
  readonly alerts: readonly BurnAlert[];
  readonly availability?: AvailabilityObjectiveModel | undefined;
  readonly latency?: LatencyObjectiveModel | undefined;
}

export const DEFAULT_WINDOW = "30d";
const MIN_WINDOW_HOURS = 7 * 24;

/**
 * The SRE workbook's alerts: a page when 2% of a window's budget goes in an hour or
 * 5% in six hours, a ticket when 10% goes in a day or in three; each long window with a
 * short one of a twelfth, so that an alert stops soon after the burn does. For a
 * 30-day window the factors are 14.4, 6, 3 and 1.
 */
const ALERT_SHAPES: readonly { speed: BurnAlert["speed"]; severity: BurnAlert["severity"]; for: string; pairs: readonly [string, number, string, number][] }[] = [
  { speed: "Fast", severity: "page", for: "1m", pairs: [["1h", 1, "5m", 0.02], ["6h", 6, "30m", 0.05]] },
  { speed: "Slow", severity: "ticket", for: "15m", pairs: [["1d", 24, "2h", 0.1], ["3d", 72, "6h", 0.1]] },
];

/** The alerts' windows, shortest first. */
const ALERT_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

const CODE_NUMBERS: ReadonlyMap<string, number> = new Map(GRPC_CODE_NAMES.map((names, code) => [names.canonical, code]));

/** Where a declaration sits, for messages: `shop/v1/orders.proto: rpc shop.v1.OrderService.GetOrder`. */
export function declarationSite(element: DescService | DescMethod): string {
  return element.kind === "service"
    ? `${element.file.name}.proto: service ${element.typeName}`
    : `${element.parent.file.name}.proto: rpc ${element.parent.typeName}.${element.name}`;
}

/**
 * Checks the values of one `slo` declaration, on a service or a method; each problem
 * is pushed naming the element and the rule. Returns whether it is usable.
 */
export function checkSloDeclaration(slo: Slo, where: string, buckets: readonly number[], problems: string[]): boolean {
  const before = problems.length;
  if (slo.availability !== undefined) {
    checkRatio(slo.availability, `${where}: slo availability`, "e.g. 0.999 for 99.9% of calls without an error", problems);
  }
  if (slo.latency !== undefined) {
    checkLatency(slo.latency, `${where}: slo latency`, buckets, problems);
  }
  for (const name of slo.errorCodes) {
    if (name === "OK") {
      problems.push(`${where}: slo error_codes: OK is the status of a successful call and cannot burn the budget; remove it`);
    } else if (!CODE_NUMBERS.has(name)) {
      problems.push(
        `${where}: slo error_codes: "${name}" is not a gRPC status code; use the canonical names: ${GRPC_CODE_NAMES.slice(1).map((c) => c.canonical).join(", ")}`,
      );
    }
  }
  if (slo.window !== undefined) {
    const hours = windowHours(slo.window);
    if (hours === undefined || hours < MIN_WINDOW_HOURS) {
      problems.push(`${where}: slo window "${slo.window}": give a whole number of days or weeks, at least 7d, e.g. "30d", "28d" or "4w"`);
    }
  }
  return problems.length === before;
}

function checkLatency(latency: LatencyObjective, where: string, buckets: readonly number[], problems: string[]): void {
  if (latency.disabled === true) {
    if (latency.thresholdSeconds !== undefined || latency.target !== undefined) {
      problems.push(`${where}: disabled: true switches the latency objective off; remove threshold_seconds and target, or disabled`);
    }
    return;
  }
  if (latency.thresholdSeconds === undefined || latency.target === undefined) {
    problems.push(`${where}: needs both threshold_seconds and target, e.g. { threshold_seconds: 0.25 target: 0.99 }`);
    return;
  }
  checkRatio(latency.target, `${where} target`, "e.g. 0.99 for 99% of calls within the threshold", problems);
  if (!buckets.includes(latency.thresholdSeconds)) {
    problems.push(
      `${where} threshold_seconds ${String(latency.thresholdSeconds)} is not a bucket bound of grpc_server_handling_seconds (${buckets.join(", ")}), so no series counts the calls within it; pick one of those, or if your servers set telemetry.prometheus.buckets, list them in the slo_buckets parameter`,
    );
  }
}

function checkRatio(value: number, where: string, example: string, problems: string[]): void {
  if (!(value > 0 && value < 1)) {
    problems.push(`${where} ${String(value)} is outside (0, 1): give the fraction of good calls, ${example}`);
  }
}

/** `30d` → 720, `4w` → 672; undefined for anything but whole days or weeks. */
function windowHours(text: string): number | undefined {
  const match = /^([1-9]\d*)([dw])$/.exec(text);
  if (match === null) {
    return undefined;
  }
  return Number(match[1]) * (match[2] === "w" ? 168 : 24);
}

/**
 * A method's objectives: each field of its own `slo` over its service's (`inherited`),
 * both already checked. Undefined when it has none, or the SLO is switched off, or
 * it inherits objectives while its metrics are off (the rules would read nothing). A
 * method that declares objectives itself with its metrics off is a problem, as is a
 * latency objective of its own on a streaming method without `streaming: true`.
 */
export function methodSlo(
  method: DescMethod,
  own: Slo | undefined,
  inherited: Slo | undefined,
  metricsOn: boolean,
  problems: string[],
): MethodSloModel | undefined {
  if ((own?.disabled ?? inherited?.disabled) === true) {
    return undefined;
  }
  const where = declarationSite(method);
  const target = own?.availability ?? inherited?.availability;
  const latencyDeclaration = own?.latency ?? inherited?.latency;
  let latency = latencyDeclaration?.disabled === true ? undefined : latencyDeclaration;
  const streams = method.methodKind !== "unary";
  if (latency !== undefined && streams && latency.streaming !== true) {
    if (own?.latency !== undefined) {
      problems.push(
        `${where}: slo latency counts unary calls, and this method streams (its duration is the stream's lifetime); set streaming: true to time the streams, or remove the latency objective`,
      );
    }
    latency = undefined;
  }
  if (target === undefined && latency === undefined) {
    return undefined;
  }
  if (!metricsOn) {
    if (own?.availability !== undefined || (own?.latency !== undefined && own.latency.disabled !== true)) {
      problems.push(`${where}: slo objectives read the method's metrics, but its metrics are off; turn metrics on or remove the objectives`);
    }
    return undefined;
  }
  const codes = own !== undefined && own.errorCodes.length > 0 ? own.errorCodes : (inherited?.errorCodes ?? []);
  const windowText = own?.window ?? inherited?.window ?? DEFAULT_WINDOW;
  const hours = windowHours(windowText) ?? 720;
  return {
    window: { text: windowText, hours },
    rateWindows: [...ALERT_WINDOWS, windowText],
    alerts: ALERT_SHAPES.map((shape) => ({
      speed: shape.speed,
      severity: shape.severity,
      for: shape.for,
      conditions: shape.pairs.map(([long, longHours, short, budgetSpent]) => ({
        long,
        short,
        budgetSpent,
        factor: Number(((budgetSpent * hours) / longHours).toPrecision(4)),
      })),
    })),
    availability:
      target === undefined
        ? undefined
        : {
            target,
            budget: budgetOf(target),
            errorCodes: codes.length === 0 ? SERVER_ERROR_CODES : [...new Set(codes.map((name) => CODE_NUMBERS.get(name) ?? 0))].sort((a, b) => a - b),
          },
    latency:
      latency?.thresholdSeconds === undefined || latency.target === undefined
        ? undefined
        : { target: latency.target, budget: budgetOf(latency.target), thresholdSeconds: latency.thresholdSeconds },
  };
}

/** 1 − target without the binary noise (1 − 0.9995 is 0.0004999999999999449). */
function budgetOf(target: number): number {
  return Number((1 - target).toPrecision(12));
}
