// A client or server of the cross-process tests, in a child process of its own on
// 127.0.0.1. It says it is ready with one JSON line on stdout, then answers commands
// written to its stdin as JSON lines, one reply line each, in order; closing its stdin
// ends it. Bounded: a peer that does not answer in time is killed.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { repoRoot } from "../../support/paths.js";

export interface Peer {
  /** What its ready line said (a server's port, say). */
  readonly ready: Record<string, unknown>;
  /** Sends a command and resolves with its reply. */
  command<T = unknown>(name: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Ends it (stdin closed), killing it if it lingers; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Kills it at once, as a crash would. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export interface PeerOptions {
  /** Node flags before the script, e.g. `--expose-gc`. */
  readonly nodeFlags?: readonly string[];
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `file` (TypeScript, run with tsx) with `args`. */
export async function startPeer(file: string, args: readonly string[] = [], options: PeerOptions = {}): Promise<Peer> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", file, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next === undefined) {
      early.push(line);
    } else {
      next(line);
    }
  });
  const nextLine = (timeoutMs: number, what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const queued = early.shift();
      if (queued !== undefined) {
        resolve(queued);
        return;
      }
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${file}: no ${what} within ${String(timeoutMs)} ms\n${errors}`));
      }, timeoutMs);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited (${String(code)}) before its ${what}\n${errors}`));
      });
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const ready = JSON.parse(await nextLine(READY_TIMEOUT_MS, "ready line")) as Record<string, unknown>;
  let queue = Promise.resolve();
  return {
    ready,
    command<T>(name: string, commandArgs: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
      const reply = queue.then(async () => {
        child.stdin.write(`${JSON.stringify({ command: name, ...commandArgs })}\n`);
        const line = await nextLine(timeoutMs, `reply to ${name}`);
        const parsed = JSON.parse(line) as { error?: string; reply?: T };
        if (parsed.error !== undefined) {
          throw new Error(`${file} failed ${name}: ${parsed.error}\n${errors}`);
        }
        return parsed.reply as T;
      });
      queue = reply.then(
        () => undefined,
        () => undefined,
      );
      return reply;
    },
    stderr: () => errors,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** In the child: says it is ready, then answers each command with its handler's result. */
export function answerCommands(ready: Record<string, unknown>, handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      const { command, ...args } = JSON.parse(line) as { command: string } & Record<string, unknown>;
      try {
        const handler = handlers[command];
        if (handler === undefined) throw new Error(`unknown command ${command}`);
        process.stdout.write(`${JSON.stringify({ reply: (await handler(args)) ?? null })}\n`);
      } catch (err) {
        process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.stack : String(err) })}\n`);
      }
    });
  });
  lines.on("close", () => {
    void queue.then(() => process.exit(0));
  });
}

/** The peer's `heapUsed` after two full collections, in bytes; it must run with `--expose-gc`. */
export function heapUsed(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("heap: run the peer with --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
