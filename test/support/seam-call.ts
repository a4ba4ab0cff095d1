// Drives one call through a telemetry part directly at the observer seam, with chosen
// instants and status: for what real calls cannot pin down, such as an exact duration.
import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { Metadata } from "@grpc/grpc-js";
import type { MethodDefinition, PrometheusOptions } from "protoc-gen-ts-otel-runtime";
import { resolveTelemetry } from "../../packages/runtime/src/telemetry/hub.js";
import type { ResolvedTelemetry } from "../../packages/runtime/src/telemetry/hub.js";

export interface SeamCall {
  readonly startTime: number;
  readonly endTime: number;
  readonly code: number;
  readonly context?: Context;
}

/** The telemetry of a server with only the Prometheus part, as `telemetry: { tracing: false, metrics: false, prometheus }` makes it. */
export function prometheusTelemetry(prometheus: PrometheusOptions): ResolvedTelemetry | undefined {
  return resolveTelemetry({ tracing: false, metrics: false, prometheus });
}

/** One server call of `method` from `startTime` to `endTime` (epoch ms), ending with `code`. */
export function serverCall(telemetry: ResolvedTelemetry | undefined, method: MethodDefinition, call: SeamCall): void {
  const observer = telemetry?.serverMethodObserver(method);
  if (observer === undefined) {
    throw new Error(`the telemetry does not observe ${method.fullName}`);
  }
  const started = observer.start({
    metadata: new Metadata(),
    context: call.context ?? ROOT_CONTEXT,
    startTime: call.startTime,
    peer: "127.0.0.1:5000",
    host: "localhost",
    deadline: Infinity,
  });
  started.messageReceived(10);
  started.end({ code: call.code, message: "", endTime: call.endTime });
}
