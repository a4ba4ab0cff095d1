/** A kind of output file: `ts` is generated, `js` and `dts` are transpiled from it. */
type Target = "js" | "ts" | "dts";

/** What relative imports of `.js` files end in: nothing, `.js` or `.ts`. */
export type ImportExtension = "none" | "js" | "ts";

/** How `.js` output imports and exports. */
export type JsImportStyle = "module" | "legacy_commonjs";

/** `rewrite_imports=pattern:target`: imports matching the glob come from the target. */
export interface ImportRewrite {
  readonly pattern: string;
  readonly target: string;
}

/** The parameters every plugin built on protoplugin takes, as protoc-gen-es reads them. */
interface StandardOptions {
  readonly targets: readonly Target[];
  readonly tsNocheck: boolean;
  readonly elidePluginVersion: boolean;
  readonly bootstrapWkt: boolean;
  readonly keepEmptyFiles: boolean;
  readonly rewriteImports: readonly ImportRewrite[];
  readonly importExtension: ImportExtension;
  readonly jsImportStyle: JsImportStyle;
}

/**
 * The standard keys users set, in the order the README documents them. `bootstrap_wkt`
 * is parsed too but stays undocumented.
 */
export const STANDARD_PARAMETERS: readonly string[] = [
  "target",
  "import_extension",
  "js_import_style",
  "keep_empty_files",
  "ts_nocheck",
  "elide_plugin_version",
  "rewrite_imports",
];

/** One `key=value` of the parameter string. */
export interface RawParameter {
  readonly key: string;
  readonly value: string;
}

export interface Parameters<Own> {
  readonly standard: StandardOptions;
  /** What the plugin's own parser made of the keys that are not standard. */
  readonly own: Own;
  /** The parameter as the preamble quotes it: without `rewrite_imports`, which is noise there. */
  readonly quoted: string;
}

/**
 * A parameter that cannot be used, worded as protoc-gen-es words it
 * (`invalid option "target=java"`), so users of both see the same messages.
 */
export class ParameterError extends Error {
  constructor(option: string, reason?: string) {
    super(reason === undefined || reason === "" ? `invalid option "${option}"` : `invalid option "${option}": ${reason}`);
    this.name = "ParameterError";
  }
}

/**
 * Parses the comma-separated parameter. Standard keys are checked in order, the first
 * bad one throws; the remaining keys go to `parseOwn` together, and its error names
 * all of them.
 */
export function parseParameters<Own>(parameter: string, parseOwn: (raw: readonly RawParameter[]) => Own): Parameters<Own> {
  let targets: Target[] = ["js", "dts"];
  let tsNocheck = false;
  let elidePluginVersion = false;
  let bootstrapWkt = false;
  let keepEmptyFiles = false;
  let importExtension: ImportExtension = "none";
  let jsImportStyle: JsImportStyle = "module";
  const rewriteImports: ImportRewrite[] = [];
  const own: RawParameter[] = [];
  const ownRaw: string[] = [];
  const quoted: string[] = [];
  for (const raw of parameter === "" ? [] : parameter.split(",")) {
    const eq = raw.indexOf("=");
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? "" : raw.slice(eq + 1);
    const flag = (): boolean => lookup(raw, key, value, booleans);
    switch (key) {
      case "target":
        targets = parseTargets(raw, key, value);
        break;
      case "ts_nocheck":
        tsNocheck = flag();
        break;
      case "elide_plugin_version":
        elidePluginVersion = flag();
        break;
      // protoc-gen-es's switch for generating the well-known types themselves:
      // imports of them then point at the generated files. Undocumented, kept working.
      case "bootstrap_wkt":
        bootstrapWkt = flag();
        break;
      case "keep_empty_files":
        keepEmptyFiles = flag();
        break;
      case "import_extension":
        importExtension = lookup(raw, key, value, importExtensions);
        break;
      case "js_import_style":
        jsImportStyle = lookup(raw, key, value, jsImportStyles);
        break;
      case "rewrite_imports": {
        const colon = value.indexOf(":");
        if (colon < 0) {
          throw new ParameterError(raw, "must be in the form of <pattern>:<target>");
        }
        rewriteImports.push({ pattern: value.slice(0, colon), target: value.slice(colon + 1) });
        continue; // not quoted
      }
      default:
        own.push({ key, value });
        ownRaw.push(raw);
        break;
    }
    quoted.push(raw);
  }
  let parsedOwn: Own;
  try {
    parsedOwn = parseOwn(own);
  } catch (err) {
    throw new ParameterError(ownRaw.join(","), err instanceof Error ? err.message : String(err));
  }
  return {
    standard: { targets, tsNocheck, elidePluginVersion, bootstrapWkt, keepEmptyFiles, rewriteImports, importExtension, jsImportStyle },
    own: parsedOwn,
    quoted: quoted.join(","),
  };
}

/** Values a key accepts, and how an error message describes them. */
interface ValueMap<T> {
  readonly values: ReadonlyMap<string, T>;
  readonly described: string;
}

const booleans: ValueMap<boolean> = {
  values: new Map([
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
  ]),
  described: "true or false",
};
const importExtensions: ValueMap<ImportExtension> = {
  values: new Map<string, ImportExtension>([
    ["", "none"],
    ["none", "none"],
    ["js", "js"],
    [".js", "js"],
    ["ts", "ts"],
    [".ts", "ts"],
  ]),
  described: "none, js or ts",
};
const jsImportStyles: ValueMap<JsImportStyle> = {
  values: new Map<string, JsImportStyle>([
    ["module", "module"],
    ["legacy_commonjs", "legacy_commonjs"],
  ]),
  described: "module or legacy_commonjs",
};
const targetNames: ValueMap<Target> = {
  values: new Map<string, Target>([
    ["js", "js"],
    ["ts", "ts"],
    ["dts", "dts"],
  ]),
  described: "js, ts or dts, or several joined with + (e.g. js+dts)",
};

function parseTargets(raw: string, key: string, value: string): Target[] {
  const targets: Target[] = [];
  for (const part of value.split("+")) {
    const target = lookup(raw, key, part, targetNames);
    if (!targets.includes(target)) {
      targets.push(target);
    }
  }
  return targets;
}

// A value outside the accepted ones is an error naming the whole `key=value` and what the key takes.
function lookup<T>(raw: string, key: string, value: string, accepted: ValueMap<T>): T {
  const found = accepted.values.get(value);
  if (found === undefined) {
    throw new ParameterError(raw, `${key} takes ${accepted.described}`);
  }
  return found;
}
