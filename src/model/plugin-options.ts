/** The plugin's own parameters, beside the standard ones protoplugin parses. */
export interface PluginOptions {
  /** Module specifier generated code imports the runtime from. */
  runtimeImport: string;
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
export const ACCEPTED_PARAMETERS: readonly string[] = [...STANDARD_PARAMETERS.keys(), "runtime_import"];

/**
 * Parses the parameters protoplugin leaves to the plugin. An unknown key is an error
 * that names it and lists every accepted key.
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
        // protoplugin prefixes this with `invalid option "key=value": `.
        throw new Error(`unknown parameter; accepted: ${ACCEPTED_PARAMETERS.join(", ")}`);
    }
  }
  return options;
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
