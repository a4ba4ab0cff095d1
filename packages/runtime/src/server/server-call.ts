import { INVALID_SPAN_CONTEXT, context as otelContext, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import type { Deadline, ServerUnaryCall } from "@grpc/grpc-js";
import type { HandlerCall } from "../handler-scope.js";
import { runHandler } from "../handler-scope.js";
import { now } from "../clock.js";
import { Code, RpcError } from "../errors.js";
import { setStatusDetails } from "../error-details/status-details.js";
import { withCallMethod } from "../log-fields.js";
import type { CallObserver, MethodObserver, ServerCallStart } from "../observer.js";
import type { MethodDefinition } from "../service.js";
import { DEADLINE_EXCEEDED_END, UNKNOWN_ERROR_MESSAGE, deadlinePassed } from "./call-end.js";
import type { CallEnd } from "./call-end.js";
import { endSourceOf } from "./end-source.js";
import type { EndListener, EndSource } from "./end-source.js";
import { callHost } from "./grpc-js-assumptions.js";
import type { HostOf } from "./grpc-js-assumptions.js";
import type { PlainServerCall } from "./plain-server-end.js";
import type { ServerContext } from "./server-context.js";

/** What every grpc-js server call offers, whatever its kind. */
type GrpcServerCall = PlainServerCall & Pick<ServerUnaryCall<unknown, unknown>, "sendMetadata"> & HostOf & HandlerCall["parentCall"];

/** What a handler's outcome becomes on the wire. */
export interface ServerStatus {
  readonly code: Code;
  readonly details: string;
  readonly metadata: Metadata;
}

/** Hands an error status to grpc-js the way the call's kind does (`callback`, or the stream's `error` event). */
export type SendError = (status: ServerStatus) => void;

/** The handler's outcome, as handed to grpc-js. */
interface Answer extends CallEnd {
  /** The exception behind it, when it was not an RpcError. */
  readonly exception: unknown;
  /** The status details that went out with it. */
  readonly details?: RpcError["details"];
}

/**
 * One server call across its kinds: the handler's context, the observer, and the
 * rule that the call ends exactly once, with the status it really ended with.
 *
 * The call learns how it ended from its `EndSource` (createServer()'s interceptor, or
 * the call's own events on a plain server), in `end`, its only end; it tells the source
 * what only the handler's side knows.
 */
export class ServerCall implements ServerContext, EndListener, HandlerCall {
  readonly trailer = new Metadata();
  readonly metadata: Metadata;
  readonly peer: string;
  readonly deadline: Deadline;
  /** Created on first use: unary handlers rarely look at the signal, and signals cost. */
  private abort: AbortController | undefined;
  /** `header`, created on first use: most handlers set no response headers. */
  private responseHeaders: Metadata | undefined;
  private abortReason: RpcError | undefined;
  private readonly source: EndSource;
  private readonly observer: CallObserver | undefined;
  /** Where handler code runs: the observer's context (the call's span), marked with the method for `logFields`. */
  private readonly handlerContext: Context;
  private headerSent = false;
  private messagesSent = false;
  /** The handler's outcome went to grpc-js: nothing more is sent. */
  private answer: Answer | undefined;
  /** The status is decided and reported. */
  private ended = false;
  /** Client calls made inside the handler that end with its call; created on first use. */
  private overListeners: Set<() => void> | undefined;

  constructor(
    readonly method: MethodDefinition,
    private readonly call: GrpcServerCall,
    observer: MethodObserver<ServerCallStart> | undefined,
    private readonly sendError: SendError,
    request?: Message,
  ) {
    this.metadata = call.metadata;
    this.peer = call.getPeer();
    this.deadline = call.getDeadline();
    this.source = endSourceOf(call);
    // A call over before its handler's call was made (test/cross-process/raw-http2.test.ts,
    // "a request whose end comes after its deadline") was reported by createServer()'s interceptor.
    if (observer !== undefined && !this.source.reported) {
      this.observer = observer.start({
        metadata: this.metadata,
        context: otelContext.active(),
        startTime: this.source.startTime ?? now(),
        peer: this.peer,
        host: callHost(call),
        deadline: this.deadline,
        request,
      });
    }
    this.handlerContext = withCallMethod(this.observer?.context ?? otelContext.active(), method);
    this.source.listen(this);
  }

  get header(): Metadata {
    return (this.responseHeaders ??= new Metadata());
  }

  get signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.abortReason !== undefined) {
        this.abort.abort(this.abortReason);
      }
    }
    return this.abort.signal;
  }

  get parentCall(): HandlerCall["parentCall"] {
    return this.call;
  }

  get isOver(): boolean {
    return this.ended;
  }

  onOver(listener: () => void): void {
    if (!this.ended) {
      (this.overListeners ??= new Set()).add(listener);
    }
  }

  offOver(listener: () => void): void {
    this.overListeners?.delete(listener);
  }

  get span(): Span {
    return trace.getSpan(this.handlerContext) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }

  /** True once the handler's outcome went to grpc-js or the call is over; later results go nowhere. */
  get isEnded(): boolean {
    return this.ended || this.answer !== undefined;
  }

  /**
   * Runs handler code in the call's context, so spans it starts are children of the
   * call's, and in its handler scope, so client calls it makes inherit its deadline and
   * cancellation.
   */
  run<T>(fn: () => T): T {
    return otelContext.with(this.handlerContext, runHandler<T>, undefined, this, fn);
  }

  /**
   * Answers DEADLINE_EXCEEDED if the call's deadline passed before its handler would
   * start (grpc-js may not have answered yet); the handler then never runs.
   */
  answerIfExpired(): boolean {
    if (!deadlinePassed(this.deadline)) {
      return false;
    }
    this.fail(new RpcError(DEADLINE_EXCEEDED_END.code, DEADLINE_EXCEEDED_END.message));
    this.source.expired();
    return true;
  }

  sendHeader(): void {
    if (!this.headerSent) {
      this.headerSent = true;
      this.call.sendMetadata(this.header);
      this.observer?.headers?.(this.header);
    }
  }

  /**
   * A response message of `size` bytes is about to go to grpc-js. Before the first, the
   * handler's headers go out if it set any; otherwise grpc-js sends its own with the
   * message once the message passed its size limit, as for a hand-written handler (a
   * message over the limit is then answered trailers-only).
   */
  messageSent(size: number): void {
    if (!this.headerSent) {
      if (this.hasHeaders()) {
        this.sendHeader();
      } else {
        this.headerSent = true;
        this.observer?.headers?.(this.header);
      }
    }
    this.messagesSent = true;
    this.observer?.messageSent(size);
  }

  messageReceived(size: number): void {
    this.observer?.messageReceived(size);
  }

  /** Whether the handler waits for a request message that has not come (the request iterator says). */
  waitingForRequest(waiting: boolean): void {
    this.source.reading(waiting);
  }

  /**
   * The status for a handler that completed normally. A call that sent no message goes
   * out trailers-only, as grpc-js's own handlers answer, unless the handler set headers.
   */
  ok(): ServerStatus {
    if (!this.messagesSent && this.hasHeaders()) {
      this.sendHeader();
    }
    this.answered({ code: Code.OK, message: "OK", exception: undefined });
    return { code: Code.OK, details: "OK", metadata: this.trailer };
  }

  /**
   * Answers a failure, once: an RpcError as it is (its metadata merged into the
   * trailers), anything else as UNKNOWN with a generic message, while the observer
   * still sees the exception. Headers go out first only if the handler set some: a
   * call that fails before its first message is otherwise answered trailers-only, as
   * grpc-js's own handlers answer, which lets the client's retry and hedging policies go on.
   */
  fail(reason: unknown): void {
    if (this.isEnded) {
      return;
    }
    const known = reason instanceof RpcError;
    const error = known ? reason : new RpcError(Code.UNKNOWN, UNKNOWN_ERROR_MESSAGE, undefined, { cause: reason });
    this.trailer.merge(error.metadata);
    setStatusDetails(this.trailer, error);
    if (this.hasHeaders()) {
      this.sendHeader();
    }
    this.answered({ code: error.code, message: error.rawMessage, exception: known ? undefined : reason, details: error.details });
    this.sendError({ code: error.code, details: error.rawMessage, metadata: this.trailer });
  }

  /** How the call ended, from its end source: the signal fires unless OK, and the observer is told, once. */
  end(end: CallEnd): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    // The exception and details belong to the status they went with, not to a cancel that overtook it.
    const answer = this.answer !== undefined && this.answer.code === end.code ? this.answer : undefined;
    if (end.code !== Code.OK) {
      this.abortReason = new RpcError(end.code, end.message);
      this.abort?.abort(this.abortReason);
    }
    this.observer?.end({
      code: end.code,
      message: end.message,
      metadata: this.trailer,
      peer: this.peer,
      error: answer?.exception,
      details: answer?.details,
      endTime: now(),
    });
    // Whatever the status, as a Go handler's ctx is cancelled when its call is over.
    const listeners = this.overListeners;
    this.overListeners = undefined;
    listeners?.forEach((listener) => {
      listener();
    });
  }

  /** Whether the handler set response headers. */
  private hasHeaders(): boolean {
    return this.responseHeaders !== undefined && Object.keys(this.responseHeaders.getMap()).length > 0;
  }

  private answered(answer: Answer): void {
    if (!this.isEnded) {
      this.answer = answer;
      this.source.answered(answer);
    }
  }
}

/** A handler missing at run time answers as grpc-js answers a method missing from an implementation. */
export function unimplemented(method: MethodDefinition): RpcError {
  return new RpcError(Code.UNIMPLEMENTED, `The server does not implement the method ${method.name}`);
}
