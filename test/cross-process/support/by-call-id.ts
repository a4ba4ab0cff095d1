// What the peers of the propagation tests keep per call, by the call's `x-call-id`:
// the parent asks for a call's entry by command, before or after it arrived.
import { Metadata } from "@grpc/grpc-js";
import { deferred } from "../../support/harness.js";
import type { Deferred } from "../../support/harness.js";

export class ByCallId<T> {
  private readonly entries = new Map<string, Deferred<T>>();

  set(callId: string, value: T): void {
    this.entry(callId).resolve(value);
  }

  /** Resolves once the call's entry is set: at once if it is. */
  get(callId: string): Promise<T> {
    return this.entry(callId).promise;
  }

  private entry(callId: string): Deferred<T> {
    let entry = this.entries.get(callId);
    if (entry === undefined) {
      entry = deferred<T>();
      this.entries.set(callId, entry);
    }
    return entry;
  }
}

/** The call id in a call's request metadata. */
export function callIdOf(metadata: Metadata): string {
  return String(metadata.get("x-call-id")[0]);
}

/** Request metadata carrying `callId`. */
export function withCallId(callId: string): Metadata {
  const metadata = new Metadata();
  metadata.set("x-call-id", callId);
  return metadata;
}
