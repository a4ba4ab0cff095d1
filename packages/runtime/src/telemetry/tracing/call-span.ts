import { SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, Context, Exception, Span } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import type { CallObserver, CallResult } from "../../observer.js";
import { MESSAGE_EVENT } from "../semconv.js";
import { errorDetailAttributes } from "./error-detail-attributes.js";
import type { SideSettings } from "./tracing.js";

/**
 * The span of one call, on either side, fed by the call's lifecycle: message events
 * while it runs (opt-in), then at the one `end` the status attributes, status,
 * exception and the end time the runtime measured. Nothing is computed for a span
 * that does not record (no SDK, or not sampled).
 */
export class CallSpan implements CallObserver {
  private sent = 0;
  private received = 0;
  /** Set by `HeaderCapturingSpan` only: the response headers, for `responseMetadata`. */
  protected responseHeaders: Metadata | undefined;

  constructor(
    private readonly span: Span,
    /** The caller's context with this span in it: handlers run in it, the next observer starts from it. */
    readonly context: Context,
    private readonly settings: SideSettings,
    /** Whether messages become `rpc.message` events: the option, or the method's proto option. */
    private readonly messageEvents: boolean,
    /** The attributes of a peer known only at the end (client side). */
    private readonly peerAttributes?: (peer: string) => Attributes,
    /** Client side: `context` with tracing suppressed, for grpc-js and what instruments it. */
    readonly grpcContext?: Context | undefined,
  ) {}

  messageSent(size: number): void {
    if (this.messageEvents && this.span.isRecording()) {
      this.addMessageEvent(MESSAGE_EVENT.SENT, ++this.sent, size);
    }
  }

  messageReceived(size: number): void {
    if (this.messageEvents && this.span.isRecording()) {
      this.addMessageEvent(MESSAGE_EVENT.RECEIVED, ++this.received, size);
    }
  }

  private addMessageEvent(type: string, id: number, size: number): void {
    this.span.addEvent(MESSAGE_EVENT.NAME, {
      [MESSAGE_EVENT.TYPE]: type,
      [MESSAGE_EVENT.ID]: id,
      [MESSAGE_EVENT.UNCOMPRESSED_SIZE]: size,
    });
  }

  end(result: CallResult): void {
    const { span, settings } = this;
    if (span.isRecording()) {
      const isError = settings.isError[result.code] === true;
      span.setAttributes(settings.statusAttributes.get(result.code));
      if (this.peerAttributes !== undefined && result.peer !== undefined) {
        span.setAttributes(this.peerAttributes(result.peer));
      }
      if (!settings.responseMetadata.isEmpty) {
        span.setAttributes(settings.responseMetadata.attributes(this.responseHeaders, result.metadata));
      }
      if (result.details !== undefined && result.details.length > 0) {
        span.setAttributes(errorDetailAttributes(result.details));
      }
      if (result.error !== undefined) {
        span.recordException(asException(result.error), result.endTime);
      }
      if (isError) {
        // The exception's message says what went wrong; the code is already an attribute.
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: result.error === undefined ? result.message : errorMessage(result.error),
        });
      }
    }
    span.end(result.endTime);
  }
}

/**
 * The span of a call whose response headers become attributes (the `responseMetadata`
 * option): only such a span takes them, so a client call without it does not listen for them.
 */
export class HeaderCapturingSpan extends CallSpan {
  headers(metadata: Metadata): void {
    this.responseHeaders = metadata;
  }
}

function asException(error: unknown): Exception {
  return error instanceof Error ? error : String(error);
}
