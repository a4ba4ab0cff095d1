// `npm run bench:instructions`: instructions per call and per message instead of CPU
// time. Each process runs under valgrind's callgrind, which counts the instructions it
// executes, on every thread: a count does not depend on how fast the machine's cores
// run the process, which moved CPU time per window by a factor of two to three on 2
// shared cores. It still moves with what V8 does in a window: of bare grpc-js's unary
// windows (README, Performance), those without a major garbage collection or a function
// compiled again counted within 1 % of each other, the others up to 60 % more; and it
// moved with the load (more instructions per call beside two other callgrind runs).
// Instructions are not time (a cache miss costs more than an add), and a process under
// callgrind runs about 40 times slower, so timers fire more often per call than they would.
//
// A window is marked from inside the process by calling two libuv functions nothing
// else in these processes calls: callgrind zeroes its counts on entering
// uv_os_getpriority (`os.getPriority()`) and writes them to a file of their own on
// entering uv_os_get_passwd (`os.userInfo()`), the Nth window's to `<out>.N`.
import { readFileSync } from "node:fs";
import { getPriority, userInfo } from "node:os";

/** Set in a child's environment when its windows are to be marked for callgrind. */
const markEnv = "BENCH_CALLGRIND_WINDOWS";

/** The command that runs `node` under callgrind, writing window N's counts to `<outFile>.N`. */
export function callgrindCommand(outFile: string): { execPath: string; args: string[]; env: Record<string, string> } {
  return {
    execPath: "valgrind",
    args: [
      "--quiet",
      "--tool=callgrind",
      `--callgrind-out-file=${outFile}`,
      "--zero-before=uv_os_getpriority",
      "--dump-before=uv_os_get_passwd",
      // Counts per function only: the files stay small, and only their totals are read.
      "--dump-instr=no",
      "--dump-line=no",
      process.execPath,
    ],
    env: { [markEnv]: "1" },
  };
}

/** In a bench child: opens or closes a measured window, if it runs under callgrind. */
export function markWindow(edge: "start" | "end"): void {
  if (process.env[markEnv] === undefined) {
    return;
  }
  if (edge === "start") {
    getPriority();
  } else {
    userInfo();
  }
}

/** The instructions of the `window`th window (from 1) that callgrind wrote for `outFile`. */
export function windowInstructions(outFile: string, window: number): number {
  const file = `${outFile}.${window}`;
  return parseTotals(readFileSync(file, "utf8"), file);
}

/** The `totals:` line of a callgrind file: the events counted since the counts were last zeroed. */
function parseTotals(text: string, name: string): number {
  const match = /^totals: (\d+)$/m.exec(text);
  if (match?.[1] === undefined) {
    throw new Error(`${name}: no totals line; not a callgrind output file`);
  }
  return Number(match[1]);
}
