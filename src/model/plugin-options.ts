/** The plugin's own parameters, beside protoplugin's standard ones. */
export interface PluginOptions {
  /** Module specifier generated code imports the runtime from. */
  runtimeImport: string;
}

export const DEFAULT_RUNTIME_IMPORT = "protoc-gen-ts-otel/runtime";

const STANDARD_KEYS = [
  "target",
  "import_extension",
  "js_import_style",
  "keep_empty_files",
  "ts_nocheck",
  "elide_plugin_version",
  "rewrite_imports",
  "map_imports",
];

/**
 * Parses the parameters protoplugin does not know. An unknown key is an error that
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
        throw new Error(
          `unknown parameter "${key}"; accepted: ${[...STANDARD_KEYS, "runtime_import"].join(", ")}`,
        );
    }
  }
  return options;
}
