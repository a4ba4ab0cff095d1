// The loop under the scripted traffics of the end-to-end tests: a tick every `tickMs`,
// calls whose outcomes are counted by method and status code, an error mode switched on
// once, and an outcome that differs from the script kept as text for the test to fail on.
import { setTimeout as delay } from "node:timers/promises";
import { RpcError, codeName } from "protoc-gen-ts-otel-runtime";

export interface TrafficLoop {
  /** Switches the ticks to error mode; returns the instant it did. */
  startErrors(): number;
  /** Calls ended so far, by method name and the status code's name (`"OK"`, `"NOT_FOUND"`, …). */
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Outcomes that differ from the script, as text. */
  readonly unexpected: readonly string[];
  /** Ends the traffic after the current tick. */
  stop(): Promise<void>;
}

/** Makes one call and counts how it ended against the code the script expects. */
export type CountedCall = (method: string, expected: string, run: () => Promise<unknown>) => Promise<void>;

/** Runs `tick(n, errors, call)` every `tickMs` until stopped. */
export function startTrafficLoop(tickMs: number, tick: (n: number, errors: boolean, call: CountedCall) => Promise<unknown>): TrafficLoop {
  const counts: Record<string, Record<string, number>> = {};
  const unexpected: string[] = [];
  let errors = false;
  const stopping = new AbortController();

  const call: CountedCall = async (method, expected, run) => {
    let code = "OK";
    try {
      await run();
    } catch (error) {
      code = codeName(RpcError.from(error).code);
    }
    const byCode = (counts[method] ??= {});
    byCode[code] = (byCode[code] ?? 0) + 1;
    if (code !== expected && unexpected.length < 20) {
      unexpected.push(`${method}: ${code}, expected ${expected}`);
    }
  };

  const loop = (async () => {
    for (let n = 0; !stopping.signal.aborted; n++) {
      const started = Date.now();
      await tick(n, errors, call);
      await delay(Math.max(0, tickMs - (Date.now() - started)));
    }
  })();

  return {
    startErrors() {
      errors = true;
      return Date.now();
    },
    counts,
    unexpected,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
