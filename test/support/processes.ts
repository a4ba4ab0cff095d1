// Child processes of the end-to-end tests: started in their own process group so that
// stopping one also stops what it started, with their output kept for failure messages.
import { spawn } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { createServer } from "node:net";
import { listenLocal } from "./listen.js";

export interface Started {
  readonly child: ChildProcess;
  /** stdout and stderr so far, for a failure message. */
  output(): string;
  /** The first stdout line that parses as JSON; fails after `timeoutMs`. */
  firstJsonLine(timeoutMs: number): Promise<unknown>;
  /** SIGTERM to the process group, SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): Started {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let stdout = "";
  const lineWaiters = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
    lineWaiters.forEach((wake) => wake());
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const end = (): void => {
      ended = true;
      lineWaiters.forEach((wake) => wake());
      resolve();
    };
    child.once("exit", end);
    // A command that cannot start never exits; its error goes into the output instead.
    child.once("error", (error) => {
      output += `${error.message}\n`;
      end();
    });
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    // The whole group, even once its leader is gone: what it started may still run.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone.
      }
    }
  };

  return {
    child,
    output: () => output,
    async firstJsonLine(timeoutMs) {
      const giveUp = Date.now() + timeoutMs;
      for (;;) {
        for (const line of stdout.split("\n")) {
          if (line.startsWith("{")) {
            return JSON.parse(line) as unknown;
          }
        }
        if (ended) {
          throw new Error(`${command} ended before printing its JSON line:\n${output}`);
        }
        const remaining = giveUp - Date.now();
        if (remaining <= 0) {
          throw new Error(`${command} printed no JSON line within ${timeoutMs} ms:\n${output}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          const wake = (): void => {
            clearTimeout(timer);
            lineWaiters.delete(wake);
            resolve();
          };
          lineWaiters.add(wake);
        });
      }
    },
    async stop(graceMs = 5_000) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1: bound on port 0, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenLocal(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
