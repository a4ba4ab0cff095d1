// Drives one call through a telemetry part directly at the observer seam, with chosen
// instants and status: for what real calls cannot pin down, such as an exact duration.
import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { Metadata } from "@grpc/grpc-js";
import type { MethodDefinition, Telemetry } from "protoc-gen-ts-otel-runtime";

export interface SeamCall {
  readonly startTime: number;
  readonly endTime: number;
  readonly code: number;
  readonly context?: Context;
}

/** One server call of `method` from `startTime` to `endTime` (epoch ms), ending with `code`. */
export function serverCall(telemetry: Telemetry | undefined, method: MethodDefinition, call: SeamCall): void {
  const observer = telemetry?.serverMethod?.(method);
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
