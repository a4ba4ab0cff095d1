import type { ImportExtension, ImportRewrite } from "./parameters.js";

// `./x` or `../x`: a path to a generated file rather than a package.
const relativePrefix = /^\.\.?\//;

/** The path other generated files import a generated file by: `a/b_otel.ts` → `./a/b_otel.js`. */
export function importPathOf(fileName: string): string {
  const path = fileName.replace(/(\.d)?\.ts$/, ".js");
  return relativePrefix.test(path) ? path : `./${path}`;
}

/**
 * Where an import finally points: `rewrite_imports` applied (the first matching
 * pattern wins), then `.js` changed to `import_extension`.
 */
export class ImportPaths {
  private readonly rewrites: readonly { readonly pattern: RegExp; readonly target: string }[];

  constructor(
    rewrites: readonly ImportRewrite[],
    private readonly extension: ImportExtension,
  ) {
    this.rewrites = rewrites.map(({ pattern, target }) => ({ pattern: globToRegExp(pattern), target }));
  }

  /** `from` as the import statement of the file at `importer` spells it. */
  resolve(importer: string, from: string): string {
    return relativeTo(importer, this.withExtension(this.rewrite(from)));
  }

  private rewrite(path: string): string {
    const rule = this.rewrites.find((r) => r.pattern.test(path));
    if (rule === undefined) {
      return path;
    }
    // A generated file moves under the target keeping its path; a package is replaced.
    return relativePrefix.test(path) ? rule.target.replace(/\/$/, "") + path.replace(relativePrefix, "/") : rule.target;
  }

  private withExtension(path: string): string {
    if (!path.endsWith(".js")) {
      return path;
    }
    const stem = path.slice(0, -".js".length);
    return this.extension === "none" ? stem : `${stem}.${this.extension}`;
  }
}

// `*` is any run of characters within one path segment, `**/` any number of whole
// segments; everything else is literal and the whole path must match.
function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (glob.startsWith("**/", i)) {
      source += "([^/]+/)*";
      i += 2;
    } else if (c === "*") {
      source += "[^/]*";
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

// Relative paths are relative to the output root; the import statement needs them
// relative to the importing file. Packages stay as they are.
function relativeTo(importer: string, path: string): string {
  if (!relativePrefix.test(path)) {
    return path;
  }
  const segments = (p: string): string[] => p.replace(/^\.\//, "").split("/").filter((s) => s !== "");
  const fromDir = segments(importer).slice(0, -1);
  const to = segments(path);
  let common = 0;
  while (common < fromDir.length && common < to.length && fromDir[common] === to[common]) {
    common++;
  }
  const relative = [...fromDir.slice(common).map(() => ".."), ...to.slice(common)].join("/");
  return relativePrefix.test(relative) ? relative : `./${relative}`;
}
