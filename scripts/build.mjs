// Builds the two packages:
//  - packages/runtime (protoc-gen-ts-otel-runtime): every module of src/ as ESM
//    (dist/esm) and CommonJS (dist/cjs), unbundled, with tsc's declarations beside both;
//  - packages/protoc-gen-ts-otel: the plugin as one ESM bundle (dist/), protoplugin and
//    protobuf-es inside, TypeScript outside (loaded only for js and dts targets).
// `node scripts/build.mjs runtime` or `… generator` builds one of them (each package's
// prepack does, from its own directory, so that `npm pack` and `npm publish` ship a
// fresh build); no argument builds both.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const runtimeDir = join(root, "packages/runtime");
const generatorDir = join(root, "packages/protoc-gen-ts-otel");

// protoplugin's index imports its own transpile module, which imports TypeScript 5.4
// and @typescript/vfs eagerly: half a second at every start of a plugin that never
// calls it (ours passes its own transpile). The bundle gets an empty stand-in, and the
// build fails if the module is not where we expect it, so an upstream rename cannot
// quietly bring the compiler back into the bundle.
const PROTOPLUGIN_TRANSPILE = /[\\/]@bufbuild[\\/]protoplugin[\\/]dist[\\/]esm[\\/]transpile\.js$/;
const stubProtopluginTranspile = {
  name: "stub-protoplugin-transpile",
  setup(b) {
    let stubbed = 0;
    b.onLoad({ filter: PROTOPLUGIN_TRANSPILE }, () => {
      stubbed += 1;
      return {
        contents: 'export function transpile() { throw new Error("protoplugin\'s transpile is not bundled; the plugin passes its own"); }',
        loader: "js",
      };
    });
    b.onEnd((result) => {
      if (result.errors.length === 0 && stubbed === 0) {
        result.errors.push({ text: "@bufbuild/protoplugin/dist/esm/transpile.js was not found in the bundle: protoplugin changed its layout; update PROTOPLUGIN_TRANSPILE in scripts/build.mjs" });
      }
    });
  },
};

function sources(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

async function buildRuntime() {
  const dist = join(runtimeDir, "dist");
  rmSync(dist, { recursive: true, force: true });
  const entryPoints = sources(join(runtimeDir, "src"));
  const common = { entryPoints, outbase: join(runtimeDir, "src"), platform: "node", target: "node20", bundle: false, logLevel: "warning" };
  await build({ ...common, format: "esm", outdir: join(dist, "esm") });
  // The CommonJS build never reaches its `import.meta` (it has `require`).
  await build({ ...common, format: "cjs", outdir: join(dist, "cjs"), logOverride: { "empty-import-meta": "silent" } });
  writeFileSync(join(dist, "cjs/package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(runtimeDir, "tsconfig.build.json")], { stdio: "inherit" });
  for (const e of readdirSync(join(dist, "esm"), { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith(".d.ts")) {
      const from = join(e.parentPath, e.name);
      const to = join(dist, "cjs", relative(join(dist, "esm"), from));
      mkdirSync(join(to, ".."), { recursive: true });
      cpSync(from, to);
    }
  }
}

async function buildGenerator() {
  const dist = join(generatorDir, "dist");
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, "src/cli.ts")],
    outfile: join(dist, "protoc-gen-ts-otel.js"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "eof",
    external: ["typescript"],
    plugins: [stubProtopluginTranspile],
    logLevel: "warning",
  });
}

const builds = { runtime: buildRuntime, generator: buildGenerator };
const asked = process.argv.slice(2);
for (const name of asked) {
  if (!Object.hasOwn(builds, name)) {
    console.error(`build.mjs: unknown package "${name}"; give ${Object.keys(builds).join(" or ")}, or nothing for both`);
    process.exit(2);
  }
}
await Promise.all((asked.length > 0 ? asked : Object.keys(builds)).map((name) => builds[name]()));
