import { PROMETHEUS_BUCKETS_SECONDS } from "../../packages/runtime/src/telemetry/semconv.js";

/** The plugin's own parameters, beside the standard ones protoplugin parses. */
export interface PluginOptions {
  /** Module specifier generated code imports the runtime from. */
  runtimeImport: string;
  /** Write Prometheus rules and a Grafana dashboard for the SLOs the protos declare. */
  slo: boolean;
  /** The bucket bounds of the servers' grpc_server_handling_seconds: latency thresholds must be one of them. */
  sloBuckets: readonly number[];
}

export const DEFAULT_RUNTIME_IMPORT = "protoc-gen-ts-otel-runtime";

/**
 * The standard parameters of protoplugin users set, in the order the README documents
 * them, each with the values it takes. `bootstrap_wkt` is parsed too but stays
 * undocumented.
 */
const STANDARD_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ["target", "js, ts or dts, or several joined with + (e.g. js+dts)"],
  ["import_extension", "none, js or ts"],
  ["js_import_style", "module or legacy_commonjs"],
  ["keep_empty_files", "true or false"],
  ["ts_nocheck", "true or false"],
  ["elide_plugin_version", "true or false"],
  ["rewrite_imports", "<pattern>:<target>"],
]);

/** Every parameter the plugin accepts: the standard ones, then ours. The README documents each. */
export const ACCEPTED_PARAMETERS: readonly string[] = [...STANDARD_PARAMETERS.keys(), "runtime_import", "slo", "slo_buckets"];

/**
 * Parses the parameters protoplugin leaves to the plugin. An unknown key is an error
 * that names it and lists every accepted key.
 */
export function parsePluginOptions(raw: readonly { key: string; value: string }[]): PluginOptions {
  const options: PluginOptions = { runtimeImport: DEFAULT_RUNTIME_IMPORT, slo: false, sloBuckets: PROMETHEUS_BUCKETS_SECONDS };
  for (const { key, value } of raw) {
    switch (key) {
      case "runtime_import":
        if (value.trim() === "") {
          throw new Error('parameter "runtime_import" needs a module specifier, e.g. runtime_import=@acme/otel-runtime');
        }
        options.runtimeImport = value.trim();
        break;
      case "slo":
        if (value !== "true" && value !== "false") {
          throw new Error('parameter "slo" takes true or false');
        }
        options.slo = value === "true";
        break;
      case "slo_buckets":
        options.sloBuckets = parseBuckets(value);
        break;
      default:
        // protoplugin prefixes this with `invalid option "key=value": `.
        throw new Error(`unknown parameter; accepted: ${ACCEPTED_PARAMETERS.join(", ")}`);
    }
  }
  return options;
}

/** `0.05+0.1+0.3`: positive numbers joined with `+`, as target joins its values. */
function parseBuckets(value: string): number[] {
  const bounds = value.split("+").map((part) => (/^\d*\.?\d+(?:e-?\d+)?$/.test(part.trim()) ? Number(part) : NaN));
  if (value.trim() === "" || bounds.some((b) => !Number.isFinite(b) || b <= 0)) {
    throw new Error('parameter "slo_buckets" takes the bucket bounds of grpc_server_handling_seconds in seconds, joined with +, e.g. slo_buckets=0.05+0.1+0.3+1');
  }
  return [...new Set(bounds)].sort((a, b) => a - b);
}

/**
 * protoplugin rejects a bad value of a standard parameter as `invalid option
 * "target=java"` and no more; this adds what the key takes, so the message says how
 * to fix it. Other messages pass unchanged.
 */
export function explainParameterError(message: string): string {
  const bare = /^invalid option "(([^"=]*)(?:=[^"]*)?)"$/.exec(message);
  const option = bare?.[1];
  const key = bare?.[2];
  const values = key === undefined ? undefined : (STANDARD_PARAMETERS.get(key) ?? (key === "bootstrap_wkt" ? "true or false" : undefined));
  if (option === undefined || key === undefined || values === undefined) {
    return message;
  }
  return `invalid option "${option}": ${key} takes ${values}`;
}
