// Children of the bench process: bounded in time, killed with the bench, and
// reporting what they printed to stderr when they fail.
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { benchTsconfig, repoRoot } from "./paths.js";

export interface PeerOptions {
  /** A name for messages, e.g. `ours-full server`. */
  readonly name: string;
  /** A TypeScript module, run with tsx under bench/tsconfig.json. */
  readonly script: string;
  readonly args: readonly string[];
  /** TypeScript modules imported before the script (`--import`), in order. */
  readonly preload?: readonly string[] | undefined;
  /** Further node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[] | undefined;
  /** The child is killed when it runs longer than this in all. */
  readonly timeoutMs: number;
  /** A program that runs node (e.g. valgrind): its path, its arguments before node's, and environment variables for the child. */
  readonly wrapper?: { readonly execPath: string; readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> } | undefined;
}

/**
 * A TypeScript child process with an IPC channel: messages of type `Out` arrive in
 * order through `next()`, which rejects once the child has died or overrun.
 */
export class PeerProcess<In extends object, Out> {
  private readonly child: ChildProcess;
  private readonly queue: Out[] = [];
  private readonly waiting: { resolve: (message: Out) => void; reject: (error: Error) => void }[] = [];
  /** What the child printed, for the message when it fails. */
  private output = "";
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Resolves with the exit code once the child has exited and its channels have closed. */
  readonly exited: Promise<number | null>;

  constructor(private readonly options: PeerOptions) {
    const preload = (options.preload ?? []).flatMap((module) => ["--import", pathToFileURL(module).href]);
    const { wrapper } = options;
    this.child = fork(options.script, [...options.args], {
      cwd: repoRoot,
      ...(wrapper === undefined ? {} : { execPath: wrapper.execPath }),
      execArgv: [...(wrapper?.args ?? []), "--import", "tsx", ...preload, ...(options.nodeFlags ?? [])],
      env: { ...process.env, ...wrapper?.env, TSX_TSCONFIG_PATH: benchTsconfig },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.on("message", (message: Out) => {
      const waiter = this.waiting.shift();
      if (waiter === undefined) {
        this.queue.push(message);
      } else {
        waiter.resolve(message);
      }
    });
    this.exited = new Promise((resolve) => {
      // "close", not "exit": a child's last IPC message (its report, sent right before
      // it exits) may still be on its way when "exit" fires, and would be lost to a
      // failure reported first.
      this.child.once("close", (code, signal) => {
        clearTimeout(this.timer);
        this.fail(`exited (${signal ?? `code ${code}`})`);
        resolve(code);
      });
    });
    this.timer = setTimeout(() => {
      this.fail(`ran longer than ${options.timeoutMs / 1000} s`);
      this.child.kill("SIGKILL");
    }, options.timeoutMs);
  }

  /** The next message; the child is killed when none comes within `timeoutMs`. */
  next(timeoutMs?: number): Promise<Out> {
    const message = this.queue.shift();
    if (message !== undefined) {
      return Promise.resolve(message);
    }
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const waiting = new Promise<Out>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (timeoutMs === undefined) {
      return waiting;
    }
    const timer = setTimeout(() => {
      this.fail(`sent nothing for ${timeoutMs / 1000} s`);
      this.kill();
    }, timeoutMs);
    return waiting.finally(() => clearTimeout(timer));
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: In): void {
    this.child.send(message);
  }

  /** Kills the child if it is still running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
  }

  private fail(reason: string): void {
    const tail = this.output.trim().split("\n").slice(-15).join("\n");
    this.failure ??= new Error(`${this.options.name} ${reason}${tail === "" ? "" : `:\n${tail}`}`);
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(this.failure);
    }
  }
}
