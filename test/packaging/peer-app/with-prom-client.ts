// The peer-range app where prom-client is installed: serveAndCall, then the calls that
// grpc_server_handled_total and grpc_client_handled_total counted in prom-client's
// default register. Prints one JSON line.
import { register } from "prom-client";
import { serveAndCall, serverArgument } from "./serve-and-call.js";

const HANDLED = /^grpc_(server|client)_handled_total\{(.*)\} (\S+)$/;

/** The handled counters' series that counted a call, as `<side> <method> <code>` → calls. */
function handled(exposition: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of exposition.split("\n")) {
    const [, side = "", labels = "", value = ""] = HANDLED.exec(line) ?? [];
    const label = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? "";
    if (Number(value) > 0) counts[`${side} ${label("grpc_method")} ${label("grpc_code")}`] = Number(value);
  }
  return counts;
}

const report = await serveAndCall(serverArgument());
console.log(JSON.stringify({ ...report, handled: handled(await register.metrics()) }));
