import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file below `dir`: relative path → content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
