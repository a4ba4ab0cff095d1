import { Metadata, Server, ServerInterceptingCall } from "@grpc/grpc-js";
import type {
  Responder,
  ServerInterceptingCallInterface,
  ServerInterceptor,
  ServerOptions as GrpcServerOptions,
} from "@grpc/grpc-js";
import { context as otelContext } from "@opentelemetry/api";
import { now } from "../clock.js";
import type { Code } from "../errors.js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import { processState } from "../process-state.js";
import type { MethodDefinition } from "../service.js";
import { UNKNOWN_PEER, callEnd } from "./call-end.js";
import { callHost } from "./grpc-compat.js";
import type { CallEnd } from "./call-end.js";

// A grpc-js Server with one interceptor of ours in front of every other, which sees each
// call of a generated method from its headers to its end: the status grpc-js really
// sent, or that it sent none (the handler's status dropped because the client had
// reset the stream, a deadline, a message over a size limit); calls grpc-js refuses
// before any handler runs; and a forced shutdown. Handlers cannot see these through
// grpc-js's public API, and interceptors can be given only to the Server's constructor,
// hence a constructor of ours. Everything here is public grpc-js API: the interceptor
// option, ServerInterceptingCall, and Server's own methods.

/** What the server knows of one generated method: registered by `addService`. */
interface ServedMethod {
  readonly method: MethodDefinition;
  readonly observer: MethodObserver<ServerCallStart> | undefined;
}

/** The state of a server made by `createServer`. */
interface ServerState {
  readonly methods: Map<string, ServedMethod>;
  /** `grpc.max_send_message_length`; -1 for none, grpc-js's default. */
  readonly maxSendMessageLength: number;
  forcedShutdown: boolean;
}

/** What a generated handler's call needs of the interceptor that saw it first. */
export interface InterceptedHandler {
  /** The call ended: grpc-js sent this status, or none, and this is what it amounts to. */
  end(end: CallEnd): void;
}

/**
 * A grpc-js `Server` whose calls of generated services are observed exactly: the
 * status recorded is the one that went out in the `grpc-status` trailer, also when
 * grpc-js answered by itself, and calls it refused before their handler ran still get
 * their span and series. A server shut down with `forceShutdown()` tells its handlers
 * so. Options are grpc-js's, interceptors included (they run after ours).
 */
export function createServer(options: GrpcServerOptions = {}): Server {
  const state: ServerState = {
    methods: new Map(),
    maxSendMessageLength: limit(options["grpc.max_send_message_length"]),
    forcedShutdown: false,
  };
  const interceptor: ServerInterceptor = (descriptor, call) => {
    const served = state.methods.get(descriptor.path);
    return served === undefined ? new ServerInterceptingCall(call) : observedCall(new InterceptedCall(served, state, call), call);
  };
  const server = new TelemetryServer({ ...options, interceptors: [interceptor, ...(options.interceptors ?? [])] }, state);
  processState().servers.set(server, state);
  return server;
}

class TelemetryServer extends Server {
  constructor(
    options: GrpcServerOptions,
    private readonly state: ServerState,
  ) {
    super(options);
  }

  override forceShutdown(): void {
    this.state.forcedShutdown = true;
    super.forceShutdown();
  }
}

/** Tells the server's interceptor about a method `addService` registered; false for a server of another kind. */
export function serveObserved(server: Server, method: MethodDefinition, observer: MethodObserver<ServerCallStart> | undefined): boolean {
  const state = processState().servers.get(server) as ServerState | undefined;
  state?.methods.set(method.path, { method, observer });
  return state !== undefined;
}

/**
 * The intercepted call a handler's call belongs to, found by its request metadata:
 * grpc-js hands the interceptor and the handler the same Metadata object (the canary
 * "hands a server interceptor and the handler the same request Metadata object" in
 * test/cross-process/canaries.test.ts fails if it stops).
 */
export function interceptedCall(metadata: Metadata): InterceptedCall | undefined {
  return processState().interceptedCalls.get(metadata) as InterceptedCall | undefined;
}

function limit(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : -1;
}

/** The interceptor's part of a call: it reports to `record` and changes nothing. */
function observedCall(record: InterceptedCall, call: ServerInterceptingCallInterface): ServerInterceptingCall {
  return new ObservedCall(record, call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          record.receivedMetadata(metadata);
          nextMetadata(metadata);
        },
        onReceiveMessage(message, nextMessage) {
          record.receivedMessage();
          nextMessage(message);
        },
        onReceiveHalfClose(nextHalfClose) {
          record.receivedHalfClose();
          nextHalfClose();
        },
        onCancel() {
          record.cancelled();
        },
      });
    },
    sendStatus(status, next) {
      next(status);
      record.sentStatus(status);
    },
  });
}

/**
 * grpc-js's intercepting call, with two differences that keep the call as it would be
 * without an interceptor. It counts the reads the handler asks for (a cancel always
 * answers a pending one with the end of the stream). And it hands response messages
 * straight to the call it wraps: `ServerInterceptingCall.sendMessage` sends headers
 * before every first message, so a message over grpc-js's size limit would be refused
 * after headers instead of trailers-only, as grpc-js answers it without interceptors
 * (the conformance suite's server-send-limit rows, test/cross-process/conformance/).
 */
class ObservedCall extends ServerInterceptingCall {
  constructor(
    private readonly record: InterceptedCall,
    private readonly wrapped: ServerInterceptingCallInterface,
    responder: Responder,
  ) {
    super(wrapped, responder);
  }

  override startRead(): void {
    this.record.requestedRead();
    super.startRead();
  }

  override sendMessage(message: unknown, callback: () => void): void {
    this.record.sentMessage(message);
    this.wrapped.sendMessage(message, callback);
  }
}

/**
 * One call of a generated method as the interceptor sees it. It decides how the call
 * ended, once: the status that grpc-js sent, or the one that its silence amounts to
 * (see `callEnd`), and hands that to the handler's call or, when no handler ran,
 * reports the call to the method's observer itself.
 */
export class InterceptedCall {
  /** When the headers came: the start of the call for its telemetry. */
  readonly startTime = now();
  private metadata: Metadata | undefined;
  private handler: InterceptedHandler | undefined;
  private reads = 0;
  private messages = 0;
  private halfClosed = false;
  private largestSent = 0;
  /** The status handed to grpc-js, until the call is reported over. */
  private pendingStatus: CallEnd | undefined;
  /** How the call ended, once it did. */
  outcome: CallEnd | undefined;

  constructor(
    private readonly served: ServedMethod,
    private readonly server: ServerState,
    private readonly call: ServerInterceptingCallInterface,
  ) {}

  /**
   * The generated handler's call started: it is told the end, at once if the call
   * already ended (grpc-js starts a unary or server-streaming handler when it reads the
   * request's end, which can come after it reported the call over).
   */
  attach(handler: InterceptedHandler): void {
    if (this.outcome === undefined) {
      this.handler = handler;
    } else {
      handler.end(this.outcome);
    }
  }

  receivedMetadata(metadata: Metadata): void {
    this.metadata = metadata;
    processState().interceptedCalls.set(metadata, this);
  }

  requestedRead(): void {
    this.reads += 1;
  }

  receivedMessage(): void {
    this.messages += 1;
  }

  receivedHalfClose(): void {
    this.halfClosed = true;
  }

  sentMessage(message: unknown): void {
    if (message instanceof Uint8Array && message.length > this.largestSent) {
      this.largestSent = message.length;
    }
  }

  /**
   * grpc-js was handed this status. Without headers out it goes at once, in a
   * trailers-only response; after headers it goes in trailers once the HTTP/2 stream
   * asks for them. Either way grpc-js then reports the call over, and a reset that
   * came first destroyed the stream and the status went nowhere: which of the two
   * happened is decided then (see `callEnd`), so that no headers need to go out early.
   */
  sentStatus(status: { readonly code: Code; readonly details?: string | undefined }): void {
    if (this.outcome === undefined) {
      this.pendingStatus = { code: status.code, message: status.details ?? "" };
    }
  }

  /** grpc-js reports the call over: after the trailers of a status it sent, or because the stream ended without one. */
  cancelled(): void {
    if (this.outcome !== undefined) {
      return;
    }
    const encoding = this.metadata?.get("grpc-encoding")[0];
    this.end(
      callEnd(this.pendingStatus, {
        streamAlive: this.call.getPeer() !== UNKNOWN_PEER,
        deadline: this.call.getDeadline(),
        shutdown: this.server.forcedShutdown,
        oversizeSent:
          this.server.maxSendMessageLength >= 0 && this.largestSent > this.server.maxSendMessageLength
            ? { size: this.largestSent, limit: this.server.maxSendMessageLength }
            : undefined,
        requestRefused: this.reads > this.messages && !this.halfClosed,
        encoding: typeof encoding === "string" ? encoding : undefined,
      }),
    );
  }

  private end(end: CallEnd): void {
    if (this.outcome !== undefined) {
      return;
    }
    this.outcome = end;
    if (this.handler !== undefined) {
      this.handler.end(end);
      return;
    }
    // No handler ran: grpc-js refused the call, or it ended before the request came.
    const observer = this.served.observer?.start({
      metadata: this.metadata ?? new Metadata(),
      context: otelContext.active(),
      startTime: this.startTime,
      peer: this.call.getPeer(),
      host: callHost(this.call),
      deadline: this.call.getDeadline(),
      request: undefined,
    });
    observer?.end({ code: end.code, message: end.message, peer: this.call.getPeer(), endTime: now() });
  }
}
