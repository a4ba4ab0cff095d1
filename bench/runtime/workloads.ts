// What the client process runs against the server, and how much of it. Every variant
// runs the same plan, so the only difference between variants is the stack.

export type WorkloadName = "unary" | "serverStream" | "clientStream" | "bidiStream";

export const workloadNames: readonly WorkloadName[] = ["unary", "serverStream", "clientStream", "bidiStream"];

/** How much of a phase of unary calls to run: for a time, or a number of calls. */
export type UnaryAmount = { readonly ms: number } | { readonly calls: number };

export interface UnaryPlan {
  /** Calls kept in flight (closed loop: each finished call starts the next). */
  readonly concurrency: number;
  /** Bytes in the request's `payload` field; the response echoes them. */
  readonly payloadBytes: number;
  /**
   * Unmeasured calls first, once, so that the JIT, the connection and the caches
   * settle: on 2 shared cores that takes seconds (after a 2 s warm-up the first
   * windows still ran 30 % slow).
   */
  readonly warmup: UnaryAmount;
  /** Unmeasured calls right before each window (see `StreamPlan.rewarmMessages`). */
  readonly rewarm: UnaryAmount;
  /**
   * One measured window, per round: a time for throughput; a number of calls for CPU
   * per call, so that every window of every variant averages over as many calls.
   */
  readonly measured: UnaryAmount;
}

/** One stream call of `messages` messages per round, after one warm-up call of `warmupMessages`. */
export interface StreamPlan {
  readonly warmupMessages: number;
  /**
   * An unmeasured call right before each measured one: a process that sat idle while
   * the other variants ran comes back slower (about 10 % after 20 s idle here), and
   * bare, measured every other window, never sits idle that long.
   */
  readonly rewarmMessages: number;
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
  unary: { concurrency: 32, payloadBytes: 100, warmup: { ms: 5_000 }, rewarm: { ms: 1_000 }, measured: { ms: 1_500 } },
  serverStream: { warmupMessages: 30_000, rewarmMessages: 5_000, messages: 50_000 },
  clientStream: { warmupMessages: 20_000, rewarmMessages: 3_000, messages: 20_000 },
  bidiStream: { warmupMessages: 5_000, rewarmMessages: 1_000, messages: 8_000 },
};

/** `--smoke`: every code path once, in seconds; its figures mean nothing. */
export const smokePlan: WorkloadPlan = {
  unary: { concurrency: 4, payloadBytes: 100, warmup: { ms: 50 }, rewarm: { ms: 20 }, measured: { ms: 200 } },
  serverStream: { warmupMessages: 10, rewarmMessages: 5, messages: 200 },
  clientStream: { warmupMessages: 10, rewarmMessages: 5, messages: 200 },
  bidiStream: { warmupMessages: 10, rewarmMessages: 5, messages: 200 },
};

/**
 * `npm run bench:cpu`: a fixed number of calls or messages per window, so that every
 * window averages as much work; short windows, so that many rounds fit (see run-cpu.ts).
 */
export const cpuPlan: WorkloadPlan = {
  unary: { concurrency: 32, payloadBytes: 100, warmup: { calls: 10_000 }, rewarm: { calls: 300 }, measured: { calls: 2_000 } },
  serverStream: { warmupMessages: 30_000, rewarmMessages: 3_000, messages: 20_000 },
  clientStream: { warmupMessages: 20_000, rewarmMessages: 2_000, messages: 10_000 },
  bidiStream: { warmupMessages: 5_000, rewarmMessages: 1_000, messages: 4_000 },
};

/** `npm run bench:cpu -- --smoke`: every code path, in seconds; its figures mean nothing. */
export const cpuSmokePlan: WorkloadPlan = { ...smokePlan, unary: { ...smokePlan.unary, warmup: { calls: 50 }, rewarm: { calls: 10 }, measured: { calls: 100 } } };

/**
 * `npm run bench:instructions`: as `cpuPlan`, for processes under callgrind, some 50
 * times slower: windows of fewer calls and messages (a count does not need many to
 * settle), the warm-up as long as `cpuPlan`'s (V8 compiles by work done, not by time).
 */
export const instructionsPlan: WorkloadPlan = {
  unary: { ...cpuPlan.unary, rewarm: { calls: 200 }, measured: { calls: 1_000 } },
  serverStream: { warmupMessages: 30_000, rewarmMessages: 1_000, messages: 10_000 },
  clientStream: { warmupMessages: 20_000, rewarmMessages: 1_000, messages: 5_000 },
  bidiStream: { warmupMessages: 5_000, rewarmMessages: 500, messages: 2_000 },
};

/**
 * `npm run bench:alloc`: bytes allocated per call and per message. Allocation does not
 * depend on timing as CPU does, so one window each, long enough that the sampling of
 * the heap profiler averages out.
 */
export const allocPlan: WorkloadPlan = {
  unary: { concurrency: 8, payloadBytes: 100, warmup: { calls: 3_000 }, rewarm: { calls: 100 }, measured: { calls: 2_000 } },
  serverStream: { warmupMessages: 20_000, rewarmMessages: 500, messages: 10_000 },
  clientStream: { warmupMessages: 20_000, rewarmMessages: 500, messages: 10_000 },
  bidiStream: { warmupMessages: 5_000, rewarmMessages: 200, messages: 2_000 },
};
