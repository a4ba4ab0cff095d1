// One variant's server process and client process, alive across many rounds so that
// measured windows of all variants can be interleaved finely; each window is
// bracketed by readings of the server's CPU.
import { join } from "node:path";
import { PeerProcess } from "../peer-process.js";
import { benchDir } from "../paths.js";
import { callgrindCommand, windowInstructions } from "./callgrind.js";
import type { ClientCommand, ClientMessage, ClientReport, ServerCommand, ServerMessage, ServerReport, WorkloadMeasure } from "./protocol.js";
import type { Variant } from "./variants.js";
import type { WorkloadName, WorkloadPlan } from "./workloads.js";

export interface MeasuredWorkload extends WorkloadMeasure {
  /** User + system CPU of the server process over the window. */
  readonly serverCpuUs: number;
  /** Under callgrind (`PairOptions.callgrindDir`): the instructions each process executed in the window. */
  readonly instructions?: { readonly client: number; readonly server: number } | undefined;
}

export interface PairOptions {
  /** Both processes are killed when they live longer. */
  readonly timeoutMs: number;
  /** …or when one of them takes longer to answer a command (a hung call). */
  readonly stepTimeoutMs: number;
  /** Write CPU profiles of both processes under this directory (`node --cpu-prof`). */
  readonly profileDir?: string | undefined;
  /** Run both processes under callgrind, its files in this directory, and count each window's instructions (callgrind.ts). */
  readonly callgrindDir?: string | undefined;
}

const script = (name: string): string => join(benchDir, "runtime", name);

export class VariantPair {
  /** Measured windows so far: callgrind numbers its files by them. */
  private windows = 0;

  private constructor(
    readonly variant: Variant,
    private readonly server: PeerProcess<ServerCommand, ServerMessage>,
    private readonly client: PeerProcess<ClientCommand, ClientMessage>,
    private readonly stepTimeoutMs: number,
    private readonly callgrindDir: string | undefined,
  ) {}

  /** Starts both processes (at once: the client loads while the server binds) and connects them. */
  static async start(variant: Variant, plan: WorkloadPlan, options: PairOptions): Promise<VariantPair> {
    const { callgrindDir } = options;
    const peer = <In extends object, Out>(side: "server" | "client"): PeerProcess<In, Out> =>
      new PeerProcess<In, Out>({
        name: `${variant.id} ${side}`,
        script: script(`${side}-main.ts`),
        args: [variant.id],
        preload: variant.instrumentGrpc ? [script("instrument-grpc.ts")] : [],
        // A directory per process: tsx's loader thread writes a profile of its own.
        nodeFlags: options.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", join(options.profileDir, `${variant.id}-${side}`)],
        timeoutMs: options.timeoutMs,
        wrapper: callgrindDir === undefined ? undefined : callgrindCommand(join(callgrindDir, `${variant.id}-${side}.%p`)),
      });
    const pair = new VariantPair(variant, peer("server"), peer("client"), options.stepTimeoutMs, callgrindDir);
    try {
      const { port } = expect(await pair.server.next(options.stepTimeoutMs), "listening");
      expect(await pair.client.next(options.stepTimeoutMs), "ready");
      pair.client.send({ type: "start", port, plan });
      return pair;
    } catch (err) {
      pair.kill();
      throw err;
    }
  }

  /** One unmeasured run of `workload`. */
  async warmUp(workload: WorkloadName): Promise<void> {
    this.client.send({ type: "run", workload, measured: false });
    expect(await this.client.next(this.stepTimeoutMs), "ran");
  }

  /** One measured run of `workload`. */
  async measure(workload: WorkloadName): Promise<MeasuredWorkload> {
    this.client.send({ type: "run", workload, measured: true });
    const serverCpu: number[] = [];
    for (;;) {
      const message = await this.client.next(this.stepTimeoutMs);
      if (message.type === "ran") {
        if (message.measure === undefined || serverCpu.length !== 2) {
          throw new Error(`${this.variant.id}: a measured run without its window`);
        }
        this.windows++;
        return { ...message.measure, serverCpuUs: (serverCpu[1] ?? 0) - (serverCpu[0] ?? 0), instructions: this.instructions() };
      }
      const { edge } = expect(message, "window");
      this.server.send({ type: "cpu", edge });
      serverCpu.push(expect(await this.server.next(this.stepTimeoutMs), "cpu").usageUs);
      this.client.send({ type: "window-ack" });
    }
  }

  /** The last window's instructions, client's and server's, if both run under callgrind. */
  private instructions(): MeasuredWorkload["instructions"] {
    const dir = this.callgrindDir;
    if (dir === undefined) {
      return undefined;
    }
    const count = (side: "client" | "server", pid: number | undefined): number =>
      windowInstructions(join(dir, `${this.variant.id}-${side}.${pid ?? "?"}`), this.windows);
    return { client: count("client", this.client.pid), server: count("server", this.server.pid) };
  }

  /** Stops both sides and collects what they counted. */
  async finish(): Promise<{ client: ClientReport; server: ServerReport }> {
    try {
      this.client.send({ type: "finish" });
      const client = expect(await this.client.next(this.stepTimeoutMs), "done").report;
      this.server.send({ type: "finish" });
      const server = expect(await this.server.next(this.stepTimeoutMs), "done").report;
      await Promise.all([this.server.exited, this.client.exited]);
      return { client, server };
    } finally {
      this.kill();
    }
  }

  kill(): void {
    this.server.kill();
    this.client.kill();
  }
}

function expect<T extends { readonly type: string }, K extends T["type"]>(message: T, type: K): Extract<T, { type: K }> {
  if (message.type !== type) {
    throw new Error(`expected a ${type} message, got ${JSON.stringify(message)}`);
  }
  return message as Extract<T, { type: K }>;
}
