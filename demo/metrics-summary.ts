// What the demo's calls left in the metrics, read back from its /metrics endpoint the way
// a scraper reads it: the Prometheus families and series there are, per server method
// the counters that moved, and the OpenTelemetry duration histograms per method and
// status.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Fetches the exposition at `url` and prints a few lines about it. */
export async function printMetricsSummary(url: string): Promise<void> {
  const text = await (await fetch(url)).text();
  const samples = parse(text);
  const grpc = samples.filter((s) => s.name.startsWith("grpc_"));
  const families = new Set(text.split("\n").filter((l) => l.startsWith("# TYPE grpc_")));
  console.log(`\nPrometheus (${url}): ${families.size} gRPC families, ${grpc.length} series, zero series of every method included.`);
  console.log("Server side, per method: started, messages received/sent, handled by grpc_code:");
  const value = (name: string, method: string): number =>
    grpc.filter((s) => s.name === name && s.labels["grpc_method"] === method).reduce((sum, s) => sum + s.value, 0);
  const methods = [...new Set(grpc.filter((s) => s.name === "grpc_server_started_total").map((s) => s.labels["grpc_method"] ?? ""))];
  for (const method of methods) {
    const handled = grpc
      .filter((s) => s.name === "grpc_server_handled_total" && s.labels["grpc_method"] === method && s.value > 0)
      .map((s) => `${s.labels["grpc_code"] ?? "?"} ${s.value}`)
      .join(", ");
    const started = value("grpc_server_started_total", method);
    const received = value("grpc_server_msg_received_total", method);
    const sent = value("grpc_server_msg_sent_total", method);
    console.log(`  ${method.padEnd(18)} started ${started}  received ${received}  sent ${sent}  handled: ${handled}`);
  }
  console.log("The client side mirrors these in grpc_client_*; each call is also timed in grpc_*_handling_seconds.");
  printOtelDurations(samples);
}

/** Per side and method, the calls of `rpc.{server,client}.call.duration` by status, with their mean. */
function printOtelDurations(samples: readonly Sample[]): void {
  console.log("\nOpenTelemetry, same endpoint: rpc.server.call.duration and rpc.client.call.duration");
  console.log("(as rpc_server_call_duration_seconds, rpc_client_call_duration_seconds), calls and mean duration:");
  for (const side of ["server", "client"]) {
    const counts = samples.filter((s) => s.name === `rpc_${side}_call_duration_seconds_count`);
    const sums = samples.filter((s) => s.name === `rpc_${side}_call_duration_seconds_sum`);
    const methods = [...new Set(counts.map((s) => s.labels["rpc_method"] ?? ""))];
    for (const method of methods) {
      const byStatus = counts
        .filter((s) => s.labels["rpc_method"] === method)
        .map((count) => {
          const status = count.labels["rpc_response_status_code"] ?? "?";
          const sum = sums.find((s) => s.labels["rpc_method"] === method && s.labels["rpc_response_status_code"] === status)?.value ?? NaN;
          return `${status} ${count.value} (${((sum / count.value) * 1000).toFixed(1)} ms)`;
        });
      console.log(`  ${side.padEnd(6)} ${method.padEnd(38)} ${byStatus.join(", ")}`);
    }
  }
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (match) {
      const [, name = "", labelText = "", value = ""] = match;
      const labels = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map(([, key = "", text = ""]) => [key, text]));
      samples.push({ name, labels, value: Number(value) });
    }
  }
  return samples;
}
