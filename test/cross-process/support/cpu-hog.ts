// Busy processes, one per core, so that a test runs with every core taken, as CI on a
// shared machine can be. Each stops by itself after `maxMs` if nobody stops it first.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

export interface CpuHog {
  stop(): Promise<void>;
}

export function startCpuHog(maxMs = 300_000): CpuHog {
  const spin = `const end = Date.now() + ${String(maxMs)}; while (Date.now() < end);`;
  const children = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ["-e", spin], { stdio: "ignore" }));
  return {
    stop: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) resolve();
              else {
                child.once("exit", () => resolve());
                child.kill("SIGKILL");
              }
            }),
        ),
      ).then(() => undefined),
  };
}
