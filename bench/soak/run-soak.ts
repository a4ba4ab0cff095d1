// `npm run bench -- --soak`: the long run of issue 11. A generated TestService server
// (createServer(), full telemetry) and a client in separate processes on 127.0.0.1
// make a seeded mix of every call kind and outcome (test/cross-process/support/
// scenarios.ts) for 1,000,000 calls, over connections replaced every 1,000 calls.
// Both processes sample heapUsed after full GCs every 100,000 calls; at the end each
// side's spans, handled counters and duration histograms are compared with the
// statuses the caller received. The peers are the cross-process tests' own, in their
// counting mode, run on the built runtime (bench/tsconfig.json).
import { performance } from "node:perf_hooks";
import { startPeer } from "../../test/cross-process/support/peer.js";
import type { Peer } from "../../test/cross-process/support/peer.js";
import type { TelemetrySummary } from "../../test/cross-process/support/peer-telemetry.js";
import type { SoakTally } from "../../test/cross-process/peers/soak-client.js";
import { benchTsconfig } from "../paths.js";
import { judgeSoak } from "./judge-soak.js";
import type { SoakCheck } from "./judge-soak.js";

export interface SoakSample {
  readonly calls: number;
  readonly clientMiB: number;
  readonly serverMiB: number;
  readonly seconds: number;
}

export interface SoakResult {
  readonly calls: number;
  readonly seconds: number;
  readonly series: readonly SoakSample[];
  /** The sample the last one is compared with: the third (after warm-up), or the last. */
  readonly baselineCalls: number;
  readonly growth: { readonly client: number; readonly server: number };
  /** Both sides' last sample within 10% of the baseline. */
  readonly flat: boolean;
  /** Calls by status as their caller received it. */
  readonly received: Record<string, number>;
  readonly checks: readonly SoakCheck[];
}

export interface SoakOptions {
  readonly calls: number;
  readonly every: number;
  readonly log: (line: string) => void;
}

export interface ServerReport {
  readonly outcomes: Record<string, number>;
  readonly open: number;
  readonly summary: TelemetrySummary;
}

const MiB = 2 ** 20;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const peerOptions = { nodeFlags: ["--expose-gc"], env: { TSX_TSCONFIG_PATH: benchTsconfig } };
  const peers: Peer[] = [];
  try {
    const server = await startPeer("test/cross-process/peers/soak-server.ts", ["--counting"], peerOptions);
    peers.push(server);
    const client = await startPeer("test/cross-process/peers/soak-client.ts", ["--counting"], peerOptions);
    peers.push(client);
    const series: SoakSample[] = [];
    const sample = async (calls: number): Promise<void> => {
      const [clientBytes, serverBytes] = await Promise.all([client.command<number>("heap"), server.command<number>("heap")]);
      const s = { calls, clientMiB: clientBytes / MiB, serverMiB: serverBytes / MiB, seconds: (performance.now() - started) / 1000 };
      series.push(s);
      options.log(`soak: ${String(calls)} calls, heap client ${s.clientMiB.toFixed(1)} MiB, server ${s.serverMiB.toFixed(1)} MiB, ${s.seconds.toFixed(0)} s`);
    };

    const counts: Record<string, number> = {};
    let wrong = 0;
    await sample(0);
    for (let done = 0; done < options.calls; ) {
      const calls = Math.min(options.every, options.calls - done);
      done += calls;
      const tally = await client.command<SoakTally>(
        "soak",
        { port: server.ready["port"], seed: 7, calls, channels: 4, concurrency: 48, last: done === options.calls },
        30 * 60_000,
      );
      for (const [key, n] of Object.entries(tally.counts)) counts[key] = (counts[key] ?? 0) + n;
      wrong += tally.wrong;
      await sample(done);
    }
    const clientSummary = await client.command<TelemetrySummary>("report");
    const serverReport = await settled(server);

    const baseline = series[2] ?? series.at(-1);
    const last = series.at(-1);
    const growth = {
      client: baseline === undefined || last === undefined ? Number.NaN : last.clientMiB / baseline.clientMiB - 1,
      server: baseline === undefined || last === undefined ? Number.NaN : last.serverMiB / baseline.serverMiB - 1,
    };
    return {
      calls: options.calls,
      seconds: (performance.now() - started) / 1000,
      series,
      baselineCalls: baseline?.calls ?? 0,
      growth,
      flat: Math.abs(growth.client) <= 0.1 && Math.abs(growth.server) <= 0.1,
      received: byCode(counts),
      checks: judgeSoak({ counts, wrong, client: clientSummary, server: serverReport }),
    };
  } finally {
    await Promise.all(peers.map((peer) => peer.stop()));
  }
}

/** The server's report once its last handler and span have ended (or after 15 s). */
async function settled(server: Peer): Promise<ServerReport> {
  const giveUp = Date.now() + 15_000;
  for (;;) {
    const report = await server.command<ServerReport>("report");
    if ((report.open === 0 && report.summary.started === report.summary.ended) || Date.now() > giveUp) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function byCode(counts: Record<string, number>): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const code = key.split("|")[2] ?? "?";
    codes[code] = (codes[code] ?? 0) + n;
  }
  return codes;
}
