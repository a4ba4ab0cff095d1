// One plugin process on one request: wall time from spawn to exit, and the CPU time
// and peak RSS the process reported about itself (usage.mjs).
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import { benchDir } from "../paths.js";
import type { Plugin } from "./plugins.js";

export interface PluginRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  /** Files in the response: the proof the plugin did the work. */
  readonly files: number;
  /** Killed at the time limit; `wallMs` is then the limit. */
  readonly timedOut: boolean;
}

const usagePreload = join(benchDir, "codegen/usage.mjs");

export async function runPlugin(plugin: Plugin, requestPath: string, timeoutMs: number): Promise<PluginRun> {
  const dir = mkdtempSync(join(tmpdir(), "ts-otel-bench-"));
  const usageFile = join(dir, "usage.json");
  const stdin = openSync(requestPath, "r");
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", usagePreload, plugin.bin], {
      stdio: [stdin, "pipe", "pipe"],
      env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const wallMs = performance.now() - started;
    clearTimeout(timer);
    // Only the timer kills it.
    const timedOut = child.killed;
    if (timedOut) {
      return { wallMs: timeoutMs, cpuMs: Number.NaN, maxRssMiB: Number.NaN, files: 0, timedOut };
    }
    if (code !== 0) {
      throw new Error(`${plugin.id} exited with ${code}: ${stderr.trim().slice(-2000)}`);
    }
    const response = fromBinary(CodeGeneratorResponseSchema, Buffer.concat(stdout));
    if (response.error !== "") {
      throw new Error(`${plugin.id} answered an error: ${response.error}`);
    }
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuUs: number; maxRssKiB: number };
    return { wallMs, cpuMs: usage.cpuUs / 1000, maxRssMiB: usage.maxRssKiB / 1024, files: response.file.length, timedOut };
  } finally {
    closeSync(stdin);
    rmSync(dir, { recursive: true, force: true });
  }
}
