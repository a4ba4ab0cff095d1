// A TelemetryObserver that records every lifecycle event the runtime reports, per call, so tests
// can assert what reached the observer seam, in which order and how often.
import type { Metadata } from "@grpc/grpc-js";
import type {
  CallObserver,
  CallResult,
  ClientCallStart,
  ClientMethodFacts,
  MethodObserver,
  ServerCallStart,
  ServerMethodFacts,
  TelemetryObserver,
  TelemetryOptions,
} from "protoc-gen-ts-otel-runtime";

export type ObservedEvent =
  | { readonly type: "headers"; readonly metadata: Metadata }
  | { readonly type: "sent"; readonly size: number }
  | { readonly type: "received"; readonly size: number }
  | { readonly type: "end"; readonly result: CallResult };

interface Observed<Side extends string, Start> {
  readonly side: Side;
  /** `pkg.Service/Method`. */
  readonly method: string;
  readonly start: Start;
  /** Every event after `start`, in the order the runtime reported them. */
  readonly events: ObservedEvent[];
}

export type ObservedClientCall = Observed<"client", ClientCallStart>;
export type ObservedServerCall = Observed<"server", ServerCallStart>;
export type ObservedCall = ObservedClientCall | ObservedServerCall;

export class RecordingTelemetry implements TelemetryObserver {
  readonly calls: ObservedCall[] = [];

  observeClientMethod({ method }: ClientMethodFacts): MethodObserver<ClientCallStart> {
    return {
      start: (start) => {
        const call: ObservedClientCall = { side: "client", method: method.fullName, start, events: [] };
        this.calls.push(call);
        return observe(call);
      },
    };
  }

  observeServerMethod({ method }: ServerMethodFacts): MethodObserver<ServerCallStart> {
    return {
      start: (start) => {
        const call: ObservedServerCall = { side: "server", method: method.fullName, start, events: [] };
        this.calls.push(call);
        return observe(call);
      },
    };
  }

  /** The one call observed on `side`; fails if there is not exactly one. */
  only(side: "client"): ObservedClientCall;
  only(side: "server"): ObservedServerCall;
  only(side: ObservedCall["side"]): ObservedCall {
    const calls = this.calls.filter((c) => c.side === side);
    const call = calls[0];
    if (calls.length !== 1 || call === undefined) {
      throw new Error(`expected one ${side} call, observed ${calls.length}`);
    }
    return call;
  }
}

function observe(call: ObservedCall): CallObserver {
  const { events } = call;
  return {
    context: call.start.context,
    headers: (metadata) => events.push({ type: "headers", metadata }),
    messageSent: (size) => events.push({ type: "sent", size }),
    messageReceived: (size) => events.push({ type: "received", size }),
    end: (result) => events.push({ type: "end", result }),
  };
}

/** The sizes of the messages a call reported as sent or received, in order. */
export function sizes(call: ObservedCall, type: "sent" | "received"): number[] {
  return call.events.flatMap((e) => (e.type === type ? [e.size] : []));
}

/** Every `end` a call reported; a correct runtime reports exactly one. */
export function ends(call: ObservedCall): CallResult[] {
  return call.events.flatMap((e) => (e.type === "end" ? [e.result] : []));
}

/** Telemetry options that report only to the recording, with the built-in parts off. */
export function observing(recording: RecordingTelemetry): TelemetryOptions {
  return { tracing: false, metrics: false, prometheus: false, observers: [recording] };
}
