/** The plugin's own parameters, beside the standard ones protoc-gen-es takes too (src/codegen/parameters.ts). */
export interface PluginOptions {
  /** Module specifier generated code imports the runtime from. */
  runtimeImport: string;
}

export const DEFAULT_RUNTIME_IMPORT = "protoc-gen-ts-otel/runtime";

/** Every parameter the plugin accepts: the standard ones, then ours. The README documents each. */
export const ACCEPTED_PARAMETERS: readonly string[] = [
  "target",
  "import_extension",
  "js_import_style",
  "keep_empty_files",
  "ts_nocheck",
  "elide_plugin_version",
  "rewrite_imports",
  "runtime_import",
];

/**
 * Parses the parameters that are not standard. An unknown key is an error that
 * names it and lists every accepted key.
 */
export function parsePluginOptions(raw: readonly { key: string; value: string }[]): PluginOptions {
  const options: PluginOptions = { runtimeImport: DEFAULT_RUNTIME_IMPORT };
  for (const { key, value } of raw) {
    switch (key) {
      case "runtime_import":
        if (value.trim() === "") {
          throw new Error('parameter "runtime_import" needs a module specifier, e.g. runtime_import=@acme/otel-runtime');
        }
        options.runtimeImport = value.trim();
        break;
      default:
        // parseParameters prefixes this with `invalid option "key=value": `.
        throw new Error(`unknown parameter; accepted: ${ACCEPTED_PARAMETERS.join(", ")}`);
    }
  }
  return options;
}

const booleanValues = "true or false";
const allowedValues: Readonly<Record<string, string>> = {
  target: "js, ts or dts, or several joined with + (e.g. js+dts)",
  import_extension: "none, js or ts",
  js_import_style: "module or legacy_commonjs",
  keep_empty_files: booleanValues,
  ts_nocheck: booleanValues,
  elide_plugin_version: booleanValues,
};

/**
 * A bad value of a standard parameter is reported as `invalid option "target=java"`; add what the
 * option takes, so the message says how to fix it.
 */
export function explainParameterError(message: string): string {
  const key = /^invalid option "([a-z_]+)=[^"]*"$/.exec(message)?.[1];
  const allowed = key === undefined ? undefined : allowedValues[key];
  return allowed === undefined ? message : `${message}: ${key ?? ""} takes ${allowed}`;
}
