import { STANDARD_PARAMETERS } from "../codegen/parameters.js";

/** The plugin's own parameters, beside the standard ones protoc-gen-es takes too (src/codegen/parameters.ts). */
export interface PluginOptions {
  /** Module specifier generated code imports the runtime from. */
  runtimeImport: string;
}

export const DEFAULT_RUNTIME_IMPORT = "protoc-gen-ts-otel/runtime";

/** Every parameter the plugin accepts: the standard ones, then ours. The README documents each. */
export const ACCEPTED_PARAMETERS: readonly string[] = [...STANDARD_PARAMETERS, "runtime_import"];

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
