import { availableParallelism, cpus, loadavg, totalmem, type as osType, release } from "node:os";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started and when it ended: other work on a shared machine. */
  readonly load: { start: number; end?: number };
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${osType()} ${release()}`,
    load: { start: loadavg()[0] ?? Number.NaN },
  };
}

export function endLoad(machine: Machine): Machine {
  return { ...machine, load: { ...machine.load, end: loadavg()[0] ?? Number.NaN } };
}

export function formatMachine(machine: Machine): string {
  const load = `load ${machine.load.start.toFixed(1)}${machine.load.end === undefined ? "" : ` → ${machine.load.end.toFixed(1)}`}`;
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, ${load}`;
}
