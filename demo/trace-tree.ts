// The demo's spans as text: one tree per trace, children under their parents.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * The spans as one tree per trace, children under their parents in start order:
 *
 *     └─ user.v1.UserService/GetUser CLIENT OK 2.1 ms server=127.0.0.1:50051
 *        └─ user.v1.UserService/GetUser SERVER OK 0.6 ms peer=127.0.0.1:53412
 */
export function formatTraces(spans: readonly ReadableSpan[]): string {
  const byStart = [...spans].sort((a, b) => millis(a.startTime) - millis(b.startTime));
  const ids = new Set(byStart.map((s) => s.spanContext().spanId));
  // A span whose parent is not among them (remote, or not exported) is a root here.
  const roots = byStart.filter((s) => s.parentSpanContext === undefined || !ids.has(s.parentSpanContext.spanId));
  const children = (parent: ReadableSpan): ReadableSpan[] =>
    byStart.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  const lines: string[] = [`Traces (${spans.length} spans)`];
  const print = (span: ReadableSpan, indent: string, last: boolean): void => {
    lines.push(`${indent}${last ? "└─" : "├─"} ${describe(span)}`);
    const below = children(span);
    below.forEach((child, i) => print(child, `${indent}${last ? "   " : "│  "}`, i === below.length - 1));
  };
  for (const root of roots) {
    lines.push(`\ntrace ${root.spanContext().traceId}`);
    print(root, "", true);
  }
  return lines.join("\n");
}

function describe(span: ReadableSpan): string {
  const a = span.attributes;
  const code = a["rpc.response.status_code"] ?? a["rpc.grpc.status_code"];
  const status =
    span.status.code === SpanStatusCode.ERROR
      ? `ERROR(${String(code)}${span.status.message === undefined ? "" : `: ${span.status.message}`})`
      : code === undefined
        ? ""
        : String(code);
  const details = [
    address("server", a["server.address"], a["server.port"]),
    address("peer", a["network.peer.address"] ?? a["net.peer.ip"], a["network.peer.port"] ?? a["net.peer.port"]),
    a["error.type"] === undefined ? undefined : `error.type=${String(a["error.type"])}`,
    span.events.length === 0 ? undefined : `events=${span.events.map((e) => e.name).join(",")}`,
  ].filter((d) => d !== undefined);
  const duration = `${(millis(span.duration)).toFixed(1)} ms`;
  return [span.name, SpanKind[span.kind], status, duration, ...details].filter((part) => part !== "").join(" ");
}

function address(label: string, host: unknown, port: unknown): string | undefined {
  if (host === undefined) {
    return undefined;
  }
  return port === undefined ? `${label}=${String(host)}` : `${label}=${String(host)}:${String(port)}`;
}

function millis([seconds, nanos]: readonly [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
