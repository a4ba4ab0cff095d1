// Instructions executed by a bench process, counted by valgrind's callgrind: the same
// count for the same work, whatever else the machine runs, where CPU time moves by tens
// of percent with the load of a shared machine. Node runs some 60 times slower under
// it, so it counts fewer calls, in a run of its own (`npm run bench:cpu -- --callgrind`).
//
// Each process runs under `valgrind --tool=callgrind`; at a window's start the bench
// zeroes its counters (`callgrind_control -z`), at its end has them dumped (`-d`) and
// reads the dump's total. Every thread counts: V8's compiler and GC helpers included.
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The command a process runs under to be counted; its dumps go to `dir`, named for `name`. */
export function callgrindWrapper(dir: string, name: string): readonly string[] {
  return [
    "valgrind",
    "--tool=callgrind",
    "--quiet",
    // V8 writes the code it compiles into memory valgrind must re-read.
    "--smc-check=all-non-file",
    "--dump-line=no",
    `--callgrind-out-file=${join(dir, `${name}.%p`)}`,
  ];
}

/** The counters of one process started under `callgrindWrapper(dir, name)`. */
export class CallgrindCounter {
  constructor(
    private readonly pid: number,
    private readonly dir: string,
    private readonly name: string,
  ) {}

  /** Starts counting from zero. */
  async zero(): Promise<void> {
    await run("callgrind_control", ["-z", String(this.pid)]);
  }

  /** The instructions executed since `zero()`. */
  async read(): Promise<number> {
    await run("callgrind_control", ["-d", String(this.pid)]);
    // Each dump is a new file, `<name>.<pid>.<n>`, n counting up from 1.
    const prefix = `${this.name}.${this.pid}.`;
    const dumps = (await readdir(this.dir)).filter((f) => f.startsWith(prefix)).map((f) => Number(f.slice(prefix.length)));
    const latest = Math.max(...dumps.filter(Number.isInteger));
    const text = await readFile(join(this.dir, `${prefix}${latest}`), "utf8");
    const summary = /^summary:\s+(\d+)/m.exec(text)?.[1];
    if (summary === undefined) {
      throw new Error(`no summary line in callgrind's dump ${prefix}${latest}`);
    }
    return Number(summary);
  }
}
