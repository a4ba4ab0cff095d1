// Messages between the bench process and its children (Node IPC, JSON).
import type { SideProof } from "./proof.js";
import type { WorkloadName, WorkloadPlan } from "./workloads.js";

/** One workload's measured window, as the client saw it. */
export interface WorkloadMeasure {
  readonly workload: WorkloadName;
  /** Calls (unary) or messages (streams) completed in the window. */
  readonly ops: number;
  readonly elapsedMs: number;
  /** User + system CPU of the client process over the window. */
  readonly clientCpuUs: number;
  /** Unary only: call latency over the window. */
  readonly latencyMs?: { readonly p50: number; readonly p99: number } | undefined;
}

export interface ClientReport {
  /** Every call the client made, warm-up included: what each side's telemetry must have counted. */
  readonly calls: number;
  readonly proof: SideProof;
  readonly maxRssKiB: number;
}

export interface ServerReport {
  /** Handler invocations. */
  readonly served: number;
  readonly proof: SideProof;
  readonly maxRssKiB: number;
}

/**
 * Bench → client: where the server listens and what the workloads are; then runs of
 * one workload, unmeasured (warm-up) or measured; an acknowledgement per window edge;
 * finally the order to report.
 */
export type ClientCommand =
  | { readonly type: "start"; readonly port: number; readonly plan: WorkloadPlan }
  | { readonly type: "run"; readonly workload: WorkloadName; readonly measured: boolean }
  | { readonly type: "window-ack" }
  | { readonly type: "finish" };

/**
 * Client → bench: ready for the start command (modules loaded); a measured window
 * opens or closes (the bench reads the server's CPU then); a run is over; the report.
 */
export type ClientMessage =
  | { readonly type: "ready" }
  | { readonly type: "window"; readonly edge: "start" | "end" }
  | { readonly type: "ran"; readonly measure?: WorkloadMeasure | undefined }
  | { readonly type: "done"; readonly report: ClientReport };

export type ServerMessage =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "cpu"; readonly usageUs: number }
  | { readonly type: "done"; readonly report: ServerReport };
/** Bench → server: read your CPU as a measured window opens or closes; finish. */
export type ServerCommand = { readonly type: "cpu"; readonly edge: "start" | "end" } | { readonly type: "finish" };

/** The heap check (heap-check.ts) → bench. */
export interface HeapSample {
  readonly calls: number;
  readonly heapUsedMiB: number;
  readonly seconds: number;
}

export type HeapMessage =
  | { readonly type: "sample"; readonly sample: HeapSample }
  | { readonly type: "done"; readonly calls: number; readonly spans: { client: number; server: number }; readonly handled: { client: number; server: number } };
