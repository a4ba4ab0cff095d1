// What the long soak must show, each check with the counts it compared: the status a
// caller received is the one both sides' spans and counters carry, and nothing is
// left open or ended twice.
import type { CodeCounts, TelemetrySummary } from "../../test/cross-process/support/peer-telemetry.js";
import { num } from "../report/format-table.js";
import type { ServerReport } from "./run-soak.js";

export interface SoakCheck {
  readonly name: string;
  readonly held: boolean;
  /** The first differences, or the figures compared. */
  readonly detail: string;
}

export interface SoakEvidence {
  /** Calls by `kind|scenario|code`, code as the caller received it. */
  readonly counts: Record<string, number>;
  /** Calls whose caller did not receive what their scenario asks for. */
  readonly wrong: number;
  readonly client: TelemetrySummary;
  readonly server: ServerReport;
}

/** Codes both sides must agree on call for call; the others a client may end before the server sees the call. */
const CLIENT_ENDS = new Set(["CANCELLED", "DEADLINE_EXCEEDED"]);

export function judgeSoak(evidence: SoakEvidence): SoakCheck[] {
  const received: CodeCounts = {};
  for (const [key, n] of Object.entries(evidence.counts)) {
    const [method = "?", , code = "?"] = key.split("|");
    const byCode = (received[method] ??= {});
    byCode[code] = (byCode[code] ?? 0) + n;
  }
  const { client, server } = evidence;
  const serverSummary = server.summary;
  const settled = sum(server.outcomes);
  return [
    check("every caller received the status its scenario asks for", evidence.wrong === 0, `${String(evidence.wrong)} did not`),
    same("client spans = statuses received", client.spanCounts, received),
    same("grpc_client_handled_total = statuses received", client.handled, received),
    same("rpc.client.call.duration points = statuses received", client.durations, received),
    same("grpc_server_handled_total = server spans", serverSummary.handled, serverSummary.spanCounts),
    same("rpc.server.call.duration points = server spans", serverSummary.durations, serverSummary.spanCounts),
    same("server spans = statuses received, codes other than CANCELLED and DEADLINE_EXCEEDED", without(serverSummary.spanCounts), without(received)),
    atMost("server CANCELLED + DEADLINE_EXCEEDED ≤ the client's, per method", serverSummary.spanCounts, received),
    check("every handler ended", server.open === 0 && settled <= sum(flatten(serverSummary.spanCounts)), `${String(server.open)} open, ${String(settled)} settled`),
    check(
      "every call's end reported once on each side",
      [client, serverSummary].every((s) => s.started === s.ended && s.endedTwice === 0),
      `client ${String(client.started)} started ${String(client.ended)} ended ${String(client.endedTwice)} twice; server ${String(serverSummary.started)} / ${String(serverSummary.ended)} / ${String(serverSummary.endedTwice)}`,
    ),
    inFlightZero(client, serverSummary),
    check("no diag line on either side", client.diag.length + serverSummary.diag.length === 0, [...client.diag, ...serverSummary.diag].slice(0, 3).join("; ") || "none"),
  ];
}

function inFlightZero(client: TelemetrySummary, server: TelemetrySummary): SoakCheck {
  const values = (s: TelemetrySummary): number[] => [...Object.values(s.inFlight.prometheus), ...Object.values(s.inFlight.otel)];
  const held = [client, server].every((s) => values(s).length === 8 && values(s).every((n) => n === 0));
  return check(
    "calls in flight back to 0 on each side (Prometheus gauge, OpenTelemetry UpDownCounter)",
    held,
    held ? "0 for each of the 4 methods" : JSON.stringify({ client: client.inFlight, server: server.inFlight }),
  );
}

function check(name: string, held: boolean, detail: string): SoakCheck {
  return { name, held, detail };
}

function same(name: string, actual: CodeCounts, expected: CodeCounts): SoakCheck {
  const differences = differ(actual, expected);
  return check(name, differences.length === 0, differences.length === 0 ? `${num(sum(flatten(actual)))} each` : differences.slice(0, 5).join(", "));
}

function atMost(name: string, server: CodeCounts, client: CodeCounts): SoakCheck {
  const over: string[] = [];
  let total = 0;
  for (const method of Object.keys({ ...server, ...client })) {
    const ends = (counts: CodeCounts): number => [...CLIENT_ENDS].reduce((n, code) => n + (counts[method]?.[code] ?? 0), 0);
    total += ends(server);
    if (ends(server) > ends(client)) over.push(`${method} ${String(ends(server))} > ${String(ends(client))}`);
  }
  return check(name, over.length === 0, over.length === 0 ? `server ${num(total)}` : over.join(", "));
}

function without(counts: CodeCounts): CodeCounts {
  const kept: CodeCounts = {};
  for (const [method, byCode] of Object.entries(counts)) {
    kept[method] = Object.fromEntries(Object.entries(byCode).filter(([code]) => !CLIENT_ENDS.has(code)));
  }
  return kept;
}

function differ(actual: CodeCounts, expected: CodeCounts): string[] {
  const differences: string[] = [];
  for (const method of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    for (const code of new Set([...Object.keys(actual[method] ?? {}), ...Object.keys(expected[method] ?? {})])) {
      const a = actual[method]?.[code] ?? 0;
      const e = expected[method]?.[code] ?? 0;
      if (a !== e) differences.push(`${method} ${code}: ${String(a)} vs ${String(e)}`);
    }
  }
  return differences;
}

function flatten(counts: CodeCounts): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [method, byCode] of Object.entries(counts)) {
    for (const [code, n] of Object.entries(byCode)) flat[`${method} ${code}`] = n;
  }
  return flat;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
