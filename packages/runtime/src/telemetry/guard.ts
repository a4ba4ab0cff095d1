import { diag } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import type { CallObserver, CallResult, MethodObserver, Telemetry } from "../observer.js";
import { reportOnce } from "../process-state.js";

type Report = (err: unknown) => void;

/**
 * Wraps a telemetry implementation so that nothing it throws reaches a call: a
 * failing span processor, exporter, meter or registry is reported through
 * OpenTelemetry's `diag` once per process and part (however many clients and servers
 * meet it), and the RPC goes on with the result it would have had.
 */
export function guardTelemetry(telemetry: Telemetry, name: string): Telemetry {
  const report: Report = (err) => {
    reportOnce(`${name} failed`, () => {
      diag.error(`protoc-gen-ts-otel-runtime: ${name} failed; calls go on without it where it fails`, err);
    });
  };
  return {
    clientMethod(method, target) {
      try {
        return guardMethod(telemetry.clientMethod?.(method, target), report);
      } catch (err) {
        report(err);
        return undefined;
      }
    },
    serverMethod(method) {
      try {
        return guardMethod(telemetry.serverMethod?.(method), report);
      } catch (err) {
        report(err);
        return undefined;
      }
    },
  };
}

function guardMethod<S extends { readonly context: Context }>(
  observer: MethodObserver<S> | undefined,
  report: Report,
): MethodObserver<S> | undefined {
  if (observer === undefined) {
    return undefined;
  }
  return {
    ownsSpans: observer.ownsSpans === true,
    start(call) {
      try {
        const inner = observer.start(call);
        return new GuardedCallObserver(inner, report, inner.context, inner.grpcContext);
      } catch (err) {
        report(err);
        return new GuardedCallObserver(undefined, report, call.context, undefined);
      }
    },
  };
}

class GuardedCallObserver implements CallObserver {
  constructor(
    private readonly inner: CallObserver | undefined,
    private readonly report: Report,
    readonly context: Context,
    readonly grpcContext: Context | undefined,
  ) {}

  headers(metadata: Metadata): void {
    try {
      this.inner?.headers(metadata);
    } catch (err) {
      this.report(err);
    }
  }

  messageSent(size: number): void {
    try {
      this.inner?.messageSent(size);
    } catch (err) {
      this.report(err);
    }
  }

  messageReceived(size: number): void {
    try {
      this.inner?.messageReceived(size);
    } catch (err) {
      this.report(err);
    }
  }

  end(result: CallResult): void {
    try {
      this.inner?.end(result);
    } catch (err) {
      this.report(err);
    }
  }
}
