// Runs a fixture in a child process, bounded in time, and returns what it printed.
import { execFile, spawn } from "node:child_process";
import { repoRoot } from "../../support/paths.js";

export interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file` with `args` from the repository root; rejects with its output if it fails or overruns. */
export function run(file: string, args: readonly string[], timeoutMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: repoRoot, timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** Runs a TypeScript fixture with node and tsx, as an application would start. */
export function runTypeScript(path: string, timeoutMs?: number): Promise<ChildResult> {
  return run(process.execPath, ["--import", "tsx", path], timeoutMs);
}

/** A long-running child process that announced itself on its first line of output. */
export interface ServerProcess {
  /** The first line it printed. */
  readonly firstLine: string;
  /** Closes its stdin, which tells it to stop, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `file` with `args` and resolves once it printed a line; the process is killed
 * if it does not within `timeoutMs`, or outlives its stop by as long.
 */
export function startServerProcess(file: string, args: readonly string[], timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(file, args, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const kill = (): void => {
    child.kill("SIGKILL");
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${file} printed nothing within ${timeoutMs} ms\n${errors}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before it was ready\n${errors}`));
    });
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const newline = output.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve({
          firstLine: output.slice(0, newline).trim(),
          async stop() {
            child.stdin.end();
            const overrun = setTimeout(kill, timeoutMs);
            await exited;
            clearTimeout(overrun);
          },
        });
      }
    });
  });
}
