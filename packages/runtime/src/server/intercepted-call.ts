import { Metadata } from "@grpc/grpc-js";
import type { ServerInterceptingCallInterface } from "@grpc/grpc-js";
import { context as otelContext } from "@opentelemetry/api";
import { now } from "../clock.js";
import type { Code } from "../errors.js";
import { callEnd } from "./call-end.js";
import type { CallEnd } from "./call-end.js";
import type { EndListener, EndSource } from "./end-source.js";
import { callHost, shareWithHandler, streamGone } from "./grpc-js-assumptions.js";
import type { PassThroughHooks } from "./grpc-js-assumptions.js";
import type { ServedMethod, ServerState } from "./server-interceptor.js";

/**
 * One call of a generated method as createServer()'s interceptor sees it, from its
 * headers to grpc-js's report of its end. It decides how the call ended, once: the
 * status that grpc-js sent, or the one that its silence amounts to (see `callEnd`), and
 * tells the handler's call or, when no handler's call was made, reports the call to the
 * method's observer itself.
 */
export class InterceptedCall implements EndSource, PassThroughHooks {
  /** When the headers came: the start of the call for its telemetry. */
  readonly startTime = now();
  private metadata: Metadata | undefined;
  private listener: EndListener | undefined;
  private reads = 0;
  private messages = 0;
  private halfClosed = false;
  private largestSent = 0;
  /** The status handed to grpc-js, until the call is reported over. */
  private pendingStatus: CallEnd | undefined;
  /** How the call ended, once it did. */
  private outcome: CallEnd | undefined;

  constructor(
    private readonly served: ServedMethod,
    private readonly server: ServerState,
    private readonly call: ServerInterceptingCallInterface,
  ) {}

  get reported(): boolean {
    return this.outcome !== undefined;
  }

  listen(listener: EndListener): void {
    if (this.outcome === undefined) {
      this.listener = listener;
    } else {
      listener.end(this.outcome);
    }
  }

  // The handler's side tells nothing the interceptor does not see for itself: grpc-js
  // hands it the status, and the reads the handler asks for.
  answered(): void {}
  expired(): void {}
  reading(): void {}

  receivedMetadata(metadata: Metadata): void {
    this.metadata = metadata;
    shareWithHandler(metadata, this);
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
    const { maxSendMessageLength } = this.server;
    this.end(
      callEnd(this.pendingStatus, {
        streamAlive: !streamGone(this.call),
        deadline: this.call.getDeadline(),
        shutdown: this.server.forcedShutdown,
        oversizeSent:
          maxSendMessageLength >= 0 && this.largestSent > maxSendMessageLength ? { size: this.largestSent, limit: maxSendMessageLength } : undefined,
        requestRefused: this.reads > this.messages && !this.halfClosed,
        encoding: typeof encoding === "string" ? encoding : undefined,
      }),
    );
  }

  private end(end: CallEnd): void {
    this.outcome = end;
    if (this.listener !== undefined) {
      this.listener.end(end);
      return;
    }
    // No handler's call was made: grpc-js refused the call, or it ended before the request came.
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
