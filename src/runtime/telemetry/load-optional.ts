import { createRequire } from "node:module";
import { join } from "node:path";

declare const require: NodeJS.Require | undefined;

/**
 * Loads an optional peer dependency synchronously, or returns undefined when it is not
 * installed. The published runtime is CommonJS and uses its own `require`, which
 * resolves from the package like any peer; run from source as ESM (the tests) it
 * resolves from the working directory.
 */
export function loadOptional(name: string): unknown {
  const load = typeof require === "function" ? require : createRequire(join(process.cwd(), "package.json"));
  try {
    return load(name);
  } catch (err) {
    if (isModuleNotFound(err, name)) {
      return undefined;
    }
    throw err;
  }
}

function isModuleNotFound(err: unknown, name: string): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    err.code === "MODULE_NOT_FOUND" &&
    err instanceof Error &&
    err.message.includes(name)
  );
}
