import type { SemconvMode } from "./semconv.js";

/**
 * The conventions to emit: an explicit choice wins; otherwise
 * `OTEL_SEMCONV_STABILITY_OPT_IN` (comma-separated) with `rpc/dup` → both and `rpc` →
 * new; with neither, new (this project has no users of the old names to protect).
 */
export function semconvMode(choice: SemconvMode | undefined, env: string | undefined = process.env["OTEL_SEMCONV_STABILITY_OPT_IN"]): SemconvMode {
  if (choice !== undefined) {
    return choice;
  }
  const values = (env ?? "").split(",").map((v) => v.trim().toLowerCase());
  if (values.includes("rpc/dup")) {
    return "dup";
  }
  return "new";
}
