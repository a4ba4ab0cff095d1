import { INVALID_SPAN_CONTEXT, context as otelContext, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import type { Deadline, ServerUnaryCall } from "@grpc/grpc-js";
import { now } from "../clock.js";
import { Code, RpcError } from "../errors.js";
import type { CallObserver, MethodObserver, ServerCallStart } from "../observer.js";
import type { MethodDefinition } from "../service.js";
import type { ServerContext } from "./server-context.js";

/** The status a handler's non-RpcError exception is answered with: nothing internal leaks. */
export const UNKNOWN_ERROR_MESSAGE = "Unknown server error";

/**
 * How close to its deadline a cancelled call counts as expired. The client's own
 * deadline timer usually fires first and reaches the server as a plain cancel
 * (RST_STREAM), a little before the server's deadline: the wire carries a rounded-up
 * relative timeout that the server counts from when the headers arrived.
 */
const DEADLINE_SLACK_MS = 20;

/** What every grpc-js server call offers, whatever its kind. */
type GrpcServerCall = Pick<
  ServerUnaryCall<unknown, unknown>,
  "metadata" | "getPeer" | "getDeadline" | "getHost" | "sendMetadata"
> & { on(event: "cancelled", listener: () => void): unknown };

/** What a handler's outcome becomes on the wire. */
export interface ServerStatus {
  readonly code: Code;
  readonly details: string;
  readonly metadata: Metadata;
}

/**
 * One server call across its kinds: the handler's context, the observer, and the
 * rule that the call ends exactly once, whichever comes first of the handler's
 * outcome, a cancellation or the deadline.
 */
export class ServerCall implements ServerContext {
  readonly header = new Metadata();
  readonly trailer = new Metadata();
  readonly metadata: Metadata;
  readonly peer: string;
  readonly deadline: Deadline;
  /** Created on first use: unary handlers rarely look at the signal, and signals cost. */
  private abort: AbortController | undefined;
  private abortReason: RpcError | undefined;
  private readonly observer: CallObserver | undefined;
  private headerSent = false;
  private ended = false;

  constructor(
    readonly method: MethodDefinition,
    private readonly call: GrpcServerCall,
    observer: MethodObserver<ServerCallStart> | undefined,
    request?: Message,
  ) {
    this.metadata = call.metadata;
    this.peer = call.getPeer();
    this.deadline = call.getDeadline();
    if (observer !== undefined) {
      this.observer = observer.start({
        metadata: this.metadata,
        context: otelContext.active(),
        startTime: now(),
        peer: this.peer,
        host: call.getHost(),
        deadline: this.deadline,
        request,
      });
    }
    call.on("cancelled", () => {
      // grpc-js >= 1.10 also emits "cancelled" after a call that finished normally.
      if (this.ended) {
        return;
      }
      const expired = Number(this.deadline) - DEADLINE_SLACK_MS <= Date.now();
      this.finish(
        expired ? Code.DEADLINE_EXCEEDED : Code.CANCELLED,
        expired ? "Deadline exceeded" : "Cancelled by client",
        undefined,
      );
    });
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

  get span(): Span {
    return trace.getSpan(this.observer?.context ?? otelContext.active()) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }

  /** True once the status is decided; the handler's later results go nowhere. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Runs handler code in the call's context, so spans it starts are children of the call's. */
  run<T>(fn: () => T): T {
    const ctx: Context | undefined = this.observer?.context;
    return ctx === undefined ? fn() : otelContext.with(ctx, fn);
  }

  sendHeader(): void {
    if (!this.headerSent) {
      this.headerSent = true;
      this.call.sendMetadata(this.header);
      this.observer?.headers(this.header);
    }
  }

  messageSent(size: number): void {
    this.observer?.messageSent(size);
  }

  messageReceived(size: number): void {
    this.observer?.messageReceived(size);
  }

  /** The status for a handler that completed normally. */
  ok(): ServerStatus {
    this.sendHeader();
    this.finish(Code.OK, "OK", undefined);
    return { code: Code.OK, details: "OK", metadata: this.trailer };
  }

  /**
   * The status for a handler that threw: an RpcError is answered as it is (its
   * metadata merged into the trailers); anything else becomes UNKNOWN with a generic
   * message, while the observer still sees the exception.
   */
  failed(reason: unknown): ServerStatus {
    const known = reason instanceof RpcError;
    const error = known ? reason : new RpcError(Code.UNKNOWN, UNKNOWN_ERROR_MESSAGE, undefined, { cause: reason });
    this.trailer.merge(error.metadata);
    this.sendHeader();
    this.finish(error.code, error.rawMessage, known ? undefined : reason);
    return { code: error.code, details: error.rawMessage, metadata: this.trailer };
  }

  private finish(code: Code, message: string, exception: unknown): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    if (code !== Code.OK) {
      this.abortReason = new RpcError(code, message);
      this.abort?.abort(this.abortReason);
    }
    this.observer?.end({
      code,
      message,
      metadata: this.trailer,
      peer: this.peer,
      error: exception,
      endTime: now(),
    });
  }
}

/** A handler that was not implemented answers UNIMPLEMENTED naming the method. */
export function unimplemented(method: MethodDefinition): RpcError {
  return new RpcError(Code.UNIMPLEMENTED, `${method.fullName} is not implemented`);
}
