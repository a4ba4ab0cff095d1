import { status as Code } from "@grpc/grpc-js";
import { now } from "../clock.js";
import { RpcError } from "../errors.js";
import type { CallResult } from "../observer.js";
import { cancelCall } from "./client-call.js";

/**
 * When and how a client call with interceptors is reported over: once the caller has the
 * outermost interceptor's answer and the grpc-js call the innermost one started (if any)
 * has ended, so that the span and the durations cover the interceptors' work. The status
 * is the one the caller got; the rest (trailers, peer) is the grpc-js call's.
 */
export class InterceptedEnd {
  /** The innermost interceptor started the grpc-js call (or tried to). */
  started = false;
  /** The caller left the response stream: a call not yet started must not start. */
  left = false;
  /** The grpc-js call, once started. */
  call: { cancel(): void } | undefined;
  /** How the grpc-js call ended, and the error its caller got. */
  private wire: { readonly result: CallResult; readonly error: RpcError | undefined } | undefined;
  /** What the caller got from the outermost interceptor; "wire": whatever the cancelled call ends with. */
  private answer: { readonly error: RpcError | undefined } | "wire" | undefined;
  private reported = false;

  constructor(private readonly report: (result: CallResult) => void) {}

  /** The grpc-js call ended (or failed to start) with `result`; `error` is what its caller got. */
  wireEnded(result: CallResult, error: RpcError | undefined): void {
    this.wire = { result, error };
    this.reportIfOver();
  }

  /** The outermost interceptor's answer: `undefined` for a response (or a whole response stream), else the caller's error. */
  settle(error: RpcError | undefined): void {
    if (this.answer !== undefined) {
      return;
    }
    this.answer = { error };
    // The caller has its answer: a call still going (the interceptors stopped reading it) is not needed.
    if (this.call !== undefined && this.wire === undefined) {
      cancelCall(this.call);
    }
    this.reportIfOver();
  }

  /** The caller left a response stream early: the call is cancelled and ends as grpc-js then says, or CANCELLED if it never started. */
  leave(): void {
    if (this.answer !== undefined) {
      return;
    }
    this.left = true;
    if (!this.started) {
      this.settle(new RpcError(Code.CANCELLED, "Cancelled on client"));
      return;
    }
    this.answer = "wire";
    if (this.call !== undefined) {
      cancelCall(this.call);
    }
    this.reportIfOver();
  }

  private reportIfOver(): void {
    const { answer, wire } = this;
    if (this.reported || answer === undefined || (this.started && wire === undefined)) {
      return;
    }
    this.reported = true;
    if (answer === "wire") {
      // Started, so grpc-js has reported it.
      if (wire !== undefined) {
        this.report(wire.result);
      }
      return;
    }
    const { error } = answer;
    if (wire !== undefined && error === wire.error) {
      this.report({ ...wire.result, endTime: now() });
      return;
    }
    this.report({
      ...wire?.result,
      code: error?.code ?? Code.OK,
      message: error?.rawMessage ?? "",
      // What an interceptor threw that was not an RpcError (RpcError.from keeps it as the cause).
      error: error?.cause,
      details: error?.details,
      endTime: now(),
    });
  }
}
