import type { Metadata } from "@grpc/grpc-js";

// When the end of a request stream means the client really finished.
//
// A grpc-js client cancels a call (abort, deadline, leaving a loop) with Node's
// `Http2Stream.close(NGHTTP2_CANCEL)`, which half-closes the stream before it resets
// it: END_STREAM goes out at once and RST_STREAM one turn of the client's event loop
// later, in a write of its own. A server that reads between the two sees a clean
// half-close, and grpc-js emits the request stream's end before `cancelled`. No public
// API of grpc-js or Node on the server can tell that half-close from a real one (see
// docs/cancelled-uploads.md for the frames, the reads and the upstream report), so the
// end of a request stream from such a client is held until its reset would have
// arrived: the handler sees the end only if none came. Clients that reset without
// half-closing (grpc-go, grpc-java, C-core and Python) are not held.
//
// The canary in test/cross-process/canaries.test.ts ("half-closes a request stream
// before it resets it when it cancels") fails when grpc-js or Node stops doing this.

/** The user-agent of @grpc/grpc-js clients, after any primary user-agent the application set. */
const HALF_CLOSES_BEFORE_RESET = /(?:^|\s)grpc-node-js\//;

/**
 * How long the end of a held request stream waits for a reset, by default. Across
 * processes on 2 cores kept busy, a grpc-js client's reset followed its END_STREAM by
 * up to 119 ms (p99 80 ms; docs/cancelled-uploads.md): twice that, rounded up.
 */
export const DEFAULT_HALF_CLOSE_HOLD_MS = 250;

/** Whether the client's half-close may be the first half of a cancel. */
export function halfClosesBeforeReset(metadata: Metadata): boolean {
  const agent = metadata.get("user-agent")[0];
  return typeof agent === "string" && HALF_CLOSES_BEFORE_RESET.test(agent);
}

/**
 * Resolves when the end of the request stream can be told to the handler: at once
 * after one turn of the event loop (a reset read together with the END_STREAM is then
 * seen), or for a client that half-closes before it resets, when `signal` fires or
 * `holdMs` pass without it.
 */
export function requestEndSettled(signal: AbortSignal, hold: boolean, holdMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!hold || holdMs <= 0 || signal.aborted) {
      setImmediate(resolve);
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, holdMs);
    signal.addEventListener("abort", done, { once: true });
  });
}
