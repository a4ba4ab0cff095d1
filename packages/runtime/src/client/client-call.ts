import { context as otelContext } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import type { Message } from "@bufbuild/protobuf";
import { Metadata, status as Code, propagate } from "@grpc/grpc-js";
import type { CallOptions as GrpcCallOptions, ClientUnaryCall, StatusObject } from "@grpc/grpc-js";
import { now } from "../clock.js";
import { RpcError } from "../errors.js";
import { currentHandlerCall, runInHandlerScope } from "../handler-scope.js";
import type { HandlerCall } from "../handler-scope.js";
import type { CallObserver, CallResult, ClientCallStart, MethodObserver } from "../observer.js";
import type { CallOptions } from "./call-options.js";
import { InterceptedEnd } from "./intercepted-end.js";

/** The abort reason of `ended`: a plain value, since a default DOMException costs a stack trace. */
const CALL_ENDED = "call ended";

/** What every grpc-js client call is, whatever its kind. */
type GrpcClientCall = ClientUnaryCall;

/**
 * The state one client call keeps across its kinds: the observer, the outgoing
 * metadata, the caller's options and the final status, reported exactly once.
 */
export class ClientCall {
  /** Replaced only by `intercepted`, before the call starts. */
  metadata: Metadata;
  grpcOptions: GrpcCallOptions;
  /** Created on first use: most calls have no request writer, and signals cost. */
  private endedController: AbortController | undefined;
  private isEnded = false;
  private readonly observer: CallObserver | undefined;
  /** Where the call was made: the caller's callbacks run in it. */
  private readonly callerContext: Context;
  /** What grpc-js runs in when it starts the call. */
  private readonly grpcContext: Context | undefined;
  /** The handler whose code made the call, if any: the caller's callbacks run in its scope. */
  private readonly callerScope: HandlerCall | undefined;
  /** That handler, unless the call opted out: the call inherits its deadline and cancellation. */
  private parent: HandlerCall | undefined;
  private failure: RpcError | undefined;
  private exception: unknown;
  /** With interceptors: the call's end waits for the outermost one's answer. */
  private interception: InterceptedEnd | undefined;

  constructor(
    observer: MethodObserver<ClientCallStart> | undefined,
    private options: CallOptions,
    request?: Message,
  ) {
    const metadata = options.metadata;
    this.callerContext = otelContext.active();
    if (observer === undefined) {
      this.metadata = metadata ?? new Metadata();
    } else {
      // Observers add propagation headers; the caller's object must stay untouched.
      this.metadata = metadata === undefined ? new Metadata() : metadata.clone();
      this.observer = observer.start({ metadata: this.metadata, context: this.callerContext, startTime: now(), request });
      // What runs below (interceptors, instrumentations of grpc-js) sees the call's span as current.
      this.grpcContext = this.observer.grpcContext ?? this.observer.context;
    }
    this.callerScope = currentHandlerCall();
    this.parent = options.propagate === false ? undefined : this.callerScope;
    this.grpcOptions = grpcCallOptions(options, this.parent);
  }

  /** Fires when the call has ended; request writers stop on it. */
  get ended(): AbortSignal {
    if (this.endedController === undefined) {
      this.endedController = new AbortController();
      if (this.isEnded) {
        this.endedController.abort(CALL_ENDED);
      }
    }
    return this.endedController.signal;
  }

  /**
   * Starts the grpc-js call, unless the caller's signal has already fired or the call
   * of the handler that makes it is over: then the call ends here as CANCELLED and
   * nothing goes on the wire (cancelling a started call would still let the whole
   * request reach the handler). grpc-js throws when the channel has been closed; the
   * call then ends here as UNAVAILABLE (what grpc-js answers the calls a closing
   * channel still held). Either way the caller gets an RpcError and the observer its
   * one end.
   */
  start<C>(makeCall: () => C): C {
    if (this.interception !== undefined) {
      this.interception.started = true;
    }
    if (this.options.signal?.aborted === true || this.parent?.isOver === true || this.interception?.left === true) {
      // grpc-js's words for a call its parent cancelled.
      const error = new RpcError(Code.CANCELLED, this.parent?.isOver === true ? "Cancelled by parent call" : "Cancelled on client");
      this.endEarly(error);
      throw error;
    }
    try {
      return this.grpcContext === undefined ? makeCall() : otelContext.with(this.grpcContext, makeCall);
    } catch (err) {
      const error = RpcError.from(err, Code.UNAVAILABLE);
      this.endEarly(error);
      throw error;
    }
  }

  /**
   * Wires a started grpc-js call: headers, the caller's AbortSignal and the end of the
   * handler's call it inherits, and the final status, which `onEnd` receives as an
   * RpcError (or undefined for OK).
   */
  attach(call: GrpcClientCall, onEnd: (error: RpcError | undefined) => void): void {
    const { signal, onHeader } = this.options;
    const parent = this.parent;
    // Most calls have neither: no closure for them.
    const abort =
      signal === undefined && parent === undefined
        ? undefined
        : (): void => {
            cancelCall(call);
          };
    if (this.interception !== undefined) {
      this.interception.call = call;
    }
    if (abort !== undefined) {
      signal?.addEventListener("abort", abort);
      parent?.onOver(abort);
    }
    const observer = this.observer;
    if (observer?.headers !== undefined || onHeader !== undefined) {
      call.on("metadata", (headers: Metadata) => {
        observer?.headers?.(headers);
        this.inCallerContext(onHeader, headers);
      });
    }
    call.on("status", (status: StatusObject) => {
      if (abort !== undefined) {
        signal?.removeEventListener("abort", abort);
        parent?.offOver(abort);
      }
      const error = this.failure ?? (status.code === Code.OK ? undefined : RpcError.from(status));
      this.markEnded();
      const result: CallResult = {
        code: error?.code ?? Code.OK,
        message: error?.rawMessage ?? status.details,
        metadata: status.metadata,
        peer: call.getPeer(),
        error: this.exception,
        details: error?.details,
        endTime: now(),
      };
      if (this.interception === undefined) {
        this.observer?.end(result);
      } else {
        this.interception.wireEnded(result, error);
      }
      this.inCallerContext(this.options.onTrailer, status.metadata);
      onEnd(error);
    });
    if (signal?.aborted === true) {
      cancelCall(call);
    }
  }

  /**
   * Records the status this call really ended with when it differs from what grpc-js
   * reports: a failure found on this side (a response that does not parse, a request
   * stream that throws, given as `exception`) replaces the CANCELLED that cancelling
   * produces.
   */
  fail(error: RpcError, call: GrpcClientCall, exception?: unknown): void {
    if (this.failure === undefined) {
      this.failure = error;
      this.exception = exception;
    }
    cancelCall(call);
  }

  /** Ends a call that failed before grpc-js started it. */
  endEarly(error: RpcError): void {
    this.markEnded();
    const result: CallResult = { code: error.code, message: error.rawMessage, error: error.cause, endTime: now() };
    if (this.interception === undefined) {
      this.observer?.end(result);
    } else {
      this.interception.wireEnded(result, error);
    }
  }

  /**
   * Interceptors run around this call: what they pass on replaces the caller's metadata
   * and options before the call starts (`intercepted`), and its end is reported as
   * `InterceptedEnd` decides.
   */
  intercept(): void {
    this.interception = new InterceptedEnd((result) => this.observer?.end(result));
  }

  /** The metadata and options the innermost interceptor passed on: those the call starts with. */
  intercepted(metadata: Metadata, options: CallOptions): void {
    this.metadata = metadata;
    this.options = options;
    this.parent = options.propagate === false ? undefined : this.callerScope;
    this.grpcOptions = grpcCallOptions(options, this.parent);
  }

  /** Runs interceptor code in the call's context, so spans it starts are children of the call's. */
  run<T>(fn: () => T): T {
    return this.observer === undefined ? fn() : otelContext.with(this.observer.context, fn);
  }

  /** See `InterceptedEnd.settle`. */
  settle(error: RpcError | undefined): void {
    this.interception?.settle(error);
  }

  /** See `InterceptedEnd.leave`. */
  leave(): void {
    this.interception?.leave();
  }

  private markEnded(): void {
    this.isEnded = true;
    this.endedController?.abort(CALL_ENDED);
  }

  /**
   * grpc-js emits its events in whatever context its connection was set up in, which
   * may be the scope of a handler long over; the caller's callbacks run where the call
   * was made instead, so spans they start have the caller's parent, and calls they make
   * the caller's handler, if any.
   */
  private inCallerContext(callback: ((metadata: Metadata) => void) | undefined, metadata: Metadata): void {
    if (callback !== undefined) {
      runInHandlerScope(this.callerScope, () => {
        otelContext.with(this.callerContext, callback, undefined, metadata);
      });
    }
  }

  messageSent(size: number): void {
    this.observer?.messageSent(size);
  }

  messageReceived(size: number): void {
    this.observer?.messageReceived(size);
  }
}

/**
 * Whether nothing but the caller waits on a call with these options: no signal to
 * follow, no header or trailer callback, and no handler's call to inherit from. Without
 * an observer either, such a call needs no `ClientCall`: grpc-js's own callback says
 * all there is to say.
 */
export function isPlainCall(options: CallOptions): boolean {
  return (
    options.signal === undefined &&
    options.onHeader === undefined &&
    options.onTrailer === undefined &&
    (options.propagate === false || currentHandlerCall() === undefined)
  );
}

/**
 * What most calls start with: no deadline, credentials or parent. grpc-js copies the
 * options it is given before its interceptors see them, and writes to none (1.10 to
 * 1.14); frozen, a write would fail loudly instead of reaching other calls.
 */
const NO_GRPC_OPTIONS: GrpcCallOptions = Object.freeze({});

/** The grpc-js options a call starts with, made inside the handler `parent` or not. */
export function grpcCallOptions(options: CallOptions, parent: HandlerCall | undefined): GrpcCallOptions {
  if (options.deadline === undefined && options.credentials === undefined && parent === undefined) {
    return NO_GRPC_OPTIONS;
  }
  const grpcOptions: GrpcCallOptions = {};
  if (options.deadline !== undefined) grpcOptions.deadline = options.deadline;
  if (options.credentials !== undefined) grpcOptions.credentials = options.credentials;
  if (parent !== undefined) {
    // grpc-js takes the earlier of the two deadlines itself. Its CANCELLATION flag is
    // not used: it adds a 'cancelled' listener to the handler's call per call made and
    // never removes it (grpc-js 1.10 to 1.14), which holds every finished call until
    // the handler's call is over and warns of a leak from the eleventh on; and a call
    // made after that event was emitted is never cancelled. `attach` listens instead,
    // for as long as the call runs.
    grpcOptions.parent = parent.parentCall;
    grpcOptions.propagate_flags = propagate.DEADLINE;
  }
  return grpcOptions;
}

/**
 * Cancels a grpc-js call now, and once more after this turn of the event loop. grpc-js
 * (1.14) creates a started call's HTTP/2 stream in a promise continuation, and a cancel
 * that comes before it is lost on the stream: the caller gets CANCELLED, but the stream
 * stays open and the server's handler never hears of it. The second cancel reaches the
 * stream; on a call that is over it does nothing.
 */
export function cancelCall(call: { cancel(): void }): void {
  call.cancel();
  setImmediate(() => {
    call.cancel();
  });
}
