// What the client process runs against the server, and how much of it. Every variant
// runs the same plan, so the only difference between variants is the stack.

export type WorkloadName = "unary" | "serverStream" | "clientStream" | "bidiStream";

export const workloadNames: readonly WorkloadName[] = ["unary", "serverStream", "clientStream", "bidiStream"];

export interface UnaryPlan {
  /** Calls kept in flight (closed loop: each finished call starts the next). */
  readonly concurrency: number;
  /** Bytes in the request's `payload` field; the response echoes them. */
  readonly payloadBytes: number;
  /** Unmeasured calls first, once, so that the JIT, the connection and the caches settle. */
  readonly warmupMs: number;
  /** One measured window, per round. */
  readonly durationMs: number;
}

/** One stream call of `messages` messages per round, after one warm-up call of `warmupMessages`. */
export interface StreamPlan {
  readonly warmupMessages: number;
  readonly messages: number;
}

export interface WorkloadPlan {
  readonly unary: UnaryPlan;
  readonly serverStream: StreamPlan;
  readonly clientStream: StreamPlan;
  readonly bidiStream: StreamPlan;
}

/**
 * The measured plan of `npm run bench`. Bare runs a window before and after every
 * other variant, so each window is short. Client streams and bidi move fewer
 * messages than the 50,000 of the server stream: bidi messages each make a write and
 * a read on both sides, several times the work of a one-way message.
 */
export const fullPlan: WorkloadPlan = {
  unary: { concurrency: 32, payloadBytes: 100, warmupMs: 2_000, durationMs: 1_500 },
  serverStream: { warmupMessages: 10_000, messages: 50_000 },
  clientStream: { warmupMessages: 10_000, messages: 30_000 },
  bidiStream: { warmupMessages: 5_000, messages: 10_000 },
};

/** `--smoke`: every code path once, in seconds; its figures mean nothing. */
export const smokePlan: WorkloadPlan = {
  unary: { concurrency: 4, payloadBytes: 100, warmupMs: 50, durationMs: 200 },
  serverStream: { warmupMessages: 10, messages: 200 },
  clientStream: { warmupMessages: 10, messages: 200 },
  bidiStream: { warmupMessages: 10, messages: 200 },
};
