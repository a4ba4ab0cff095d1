// Deadline and cancellation propagation across three processes, as a service that calls
// another runs: a client calls a middle server whose handler calls a downstream server
// with a generated client (peers/propagation-*.ts). The downstream handler must see the
// upstream deadline, an upstream cancel must end the downstream call with CANCELLED in
// every side's telemetry, and a call or client that opts out must be left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KINDS } from "../support/call-kinds.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { CodeCounts, TelemetrySummary } from "./support/peer-telemetry.js";

/**
 * How much later than the upstream deadline the downstream one may be: each server
 * counts the timeout from when the headers came, so the deadline moves later by the
 * headers' way through the middle (on busy cores, generous).
 */
const NETWORK_SHARE_MS = 10_000;
const UPSTREAM_TIMEOUT_MS = 120_000;
/** How long a peer may take to record a call's end in its telemetry. */
const RECORDING_MS = 60_000;

/** The sides whose telemetry records each call, in the order the call passes them. */
const SIDES = ["upstream client", "middle server", "middle client", "downstream server"] as const;
type SideName = (typeof SIDES)[number];
type Summaries = Record<SideName, TelemetrySummary>;

describe.each([
  ["createServer()", []],
  ["a plain grpc-js Server", ["--plain"]],
])("client → middle → downstream, the servers on %s", (_name, serverArgs) => {
  let downstream: Peer;
  let middle: Peer;
  let client: Peer;
  /** The code each side must record for each call, by call id, and its method. */
  const expected = new Map<string, { method: string; codes: Record<SideName, string> }>();

  beforeAll(async () => {
    downstream = await startPeer("test/cross-process/peers/propagation-downstream.ts", serverArgs);
    middle = await startPeer("test/cross-process/peers/propagation-middle.ts", ["--downstream", String(downstream.ready["port"]), ...serverArgs]);
    client = await startPeer("test/cross-process/peers/propagation-client.ts", ["--port", String(middle.ready["port"])]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([client.stop(), middle.stop(), downstream.stop()]);
  });

  async function summaries(): Promise<Summaries> {
    const [upstream, { server, client: middleClient }, down] = await Promise.all([
      client.command<TelemetrySummary>("report"),
      middle.command<{ server: TelemetrySummary; client: TelemetrySummary }>("report"),
      downstream.command<TelemetrySummary>("report"),
    ]);
    return { "upstream client": upstream, "middle server": server, "middle client": middleClient, "downstream server": down };
  }

  /** The code each side's span recorded for `callId`, once each of `sides` has one. */
  async function recordedCodes(callId: string, sides: readonly SideName[] = SIDES): Promise<Record<SideName, string | undefined>> {
    const giveUp = Date.now() + RECORDING_MS;
    for (;;) {
      const all = await summaries();
      const codes = Object.fromEntries(SIDES.map((side) => [side, all[side].spans.find((span) => span.callId === callId)?.code])) as Record<
        SideName,
        string | undefined
      >;
      if (sides.every((side) => codes[side] !== undefined) || Date.now() > giveUp) return codes;
    }
  }

  /** Starts a call of `method` whose downstream call is under way, and expects each side to record `codes`. */
  async function startCall(callId: string, method: string, text: string, codes: Record<SideName, string>): Promise<{ deadline: number; seen: number | null }> {
    expected.set(callId, { method, codes });
    const { deadline } = await client.command<{ deadline: number }>("start", { callId, method, text, timeoutMs: UPSTREAM_TIMEOUT_MS });
    const { deadline: seen } = await downstream.command<{ deadline: number | null }>("called", { callId });
    return { deadline, seen };
  }

  describe.each(KINDS)("$method", ({ method }) => {
    it("gives the downstream handler the upstream deadline", async () => {
      const callId = `deadline-${method}`;
      const all = { "upstream client": "OK", "middle server": "OK", "middle client": "OK", "downstream server": "OK" };
      const { deadline, seen } = await startCall(callId, method, "propagate", all);
      expect(seen).not.toBeNull();
      expect(seen).toBeGreaterThanOrEqual(deadline);
      expect(seen).toBeLessThanOrEqual(deadline + NETWORK_SHARE_MS);
      await downstream.command("release", { callId });
      expect(await client.command("result", { callId })).toBe("OK");
      expect(await middle.command("outcome", { callId })).toBe("OK");
      expect(await recordedCodes(callId)).toEqual(all);
    });

    it("cancels the downstream call when the client cancels, CANCELLED on every side", async () => {
      const callId = `cancel-${method}`;
      const all = { "upstream client": "CANCELLED", "middle server": "CANCELLED", "middle client": "CANCELLED", "downstream server": "CANCELLED" };
      await startCall(callId, method, "propagate", all);
      await client.command("cancel", { callId });
      expect(await client.command("result", { callId })).toBe("CANCELLED");
      expect(await downstream.command("ended", { callId })).toBe("CANCELLED");
      expect(await middle.command("outcome", { callId })).toBe("CANCELLED");
      expect(await recordedCodes(callId)).toEqual(all);
    });

    it.each(["opt-out-call", "opt-out-client"])("leaves the downstream call alone with propagate: false (%s)", async (text) => {
      const callId = `${text}-${method}`;
      const codes = { "upstream client": "CANCELLED", "middle server": "CANCELLED", "middle client": "OK", "downstream server": "OK" };
      const { seen } = await startCall(callId, method, text, codes);
      expect(seen).toBeNull();
      await client.command("cancel", { callId });
      expect(await client.command("result", { callId })).toBe("CANCELLED");
      // Once the middle's call is recorded over, a propagated cancel would have been sent.
      expect((await recordedCodes(callId, ["middle server"]))["middle server"]).toBe("CANCELLED");
      await downstream.command("release", { callId });
      expect(await middle.command("outcome", { callId })).toBe("OK");
      expect(await recordedCodes(callId)).toEqual(codes);
    });
  });

  it("counts every call with the code its spans recorded, in each side's metrics", async () => {
    const all = await summaries();
    for (const side of SIDES) {
      const counts: CodeCounts = {};
      for (const { method, codes } of expected.values()) {
        const byCode = (counts[method] ??= {});
        byCode[codes[side]] = (byCode[codes[side]] ?? 0) + 1;
      }
      expect({ side, handled: all[side].handled }).toEqual({ side, handled: counts });
      expect({ side, durations: all[side].durations }).toEqual({ side, durations: counts });
    }
  });
});
