// The two packages as users get them: `npm pack` tarballs installed into a fresh
// project outside this repository with the README's own Install commands, code
// generated there with the installed buf and plugins, a production install
// (`npm ci --omit=dev`) that serves and calls with the default telemetry, type checks
// under every module resolution TypeScript has, and esbuild bundles run where there is
// no node_modules at all. (The README's telemetry.ts, server.ts and client.ts run as
// separate processes in readme-programs.test.ts.) A fresh clone of the committed HEAD,
// never built, packs the same files: each package's prepack builds it.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, parse } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { README_PROGRAMS, installAsReadmeSays, installCommands, readmeBlock } from "../support/consumer-project.js";
import { GENERATOR, RUNTIME, cleanEnv, npmPack, packWorkingTree, packageDirs, runtimeModules, sh, strictConsumerOptions, tarballFiles } from "../support/npm-project.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import { useTempDirs } from "../support/temp-dirs.js";

const fixture = join(repoRoot, "test/fixtures/consumer");

/** Bytes of every file below `dir`. */
function treeSize(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return bytes;
}

/** Every package.json name in an installed tree. */
function installedPackages(nodeModules: string): Set<string> {
  const names = new Set<string>();
  for (const e of readdirSync(nodeModules, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name === "package.json" && e.parentPath.split("/").at(-2)?.match(/^(node_modules|@[^/]+)$/)) {
      const manifest = JSON.parse(readFileSync(join(e.parentPath, e.name), "utf8")) as { name?: string };
      if (manifest.name !== undefined) names.add(manifest.name);
    }
  }
  return names;
}

/**
 * What the tarballs must hold, and nothing else: the generator its bin, bundle and
 * options proto; the runtime every module of `clone`'s sources as ESM and CommonJS,
 * each with its declarations.
 */
function expectShipped(packed: Record<string, string>, clone: string): void {
  expect(tarballFiles(packed[GENERATOR] ?? "")).toEqual([
    "package/README.md",
    "package/bin/protoc-gen-ts-otel.js",
    "package/dist/protoc-gen-ts-otel.js",
    "package/package.json",
    "package/proto/tsotel/v1/options.proto",
  ]);
  const modules = runtimeModules(clone);
  expect(modules).toContain("index");
  expect(tarballFiles(packed[RUNTIME] ?? "")).toEqual(
    [
      "package/README.md",
      "package/package.json",
      "package/dist/cjs/package.json",
      ...modules.flatMap((m) => ["esm", "cjs"].flatMap((format) => [`package/dist/${format}/${m}.js`, `package/dist/${format}/${m}.d.ts`])),
    ].sort(),
  );
}

interface AppResult {
  readonly registeredAtOnce: boolean;
  readonly name: string;
  readonly missing: string;
  readonly serverOk: number;
  readonly serverNotFound: number;
  readonly clientOk: number;
}

const expectedApp: AppResult = { registeredAtOnce: true, name: "Ada", missing: "NOT_FOUND", serverOk: 1, serverNotFound: 1, clientOk: 1 };

/** Runs one of the app's programs; its stdout is one JSON line. */
function runApp(file: string, cwd: string): { result: unknown; stderr: string } {
  const out = run(process.execPath, [file], { cwd, env: cleanEnv, timeout: 60_000 });
  if (out.status !== 0) throw new Error(`${file} exited ${String(out.status)}: ${out.stderr}`);
  return { result: JSON.parse(out.stdout) as unknown, stderr: out.stderr };
}

let work: string;
let tarballs: Record<string, string>;
let app: string;
let prod: string;
let installLog: string;

const tempDir = useTempDirs();

beforeAll(() => {
  work = tempDir("packaging");
  tarballs = packWorkingTree(work);
  app = join(work, "app");
  installLog = installAsReadmeSays(app, tarballs);
  // What the app itself needs to build: a compiler and bundlers, as dev tools.
  sh(
    "npm",
    ["install", "--save-dev", "typescript@~6.0.3", "esbuild@^0.28.2", "webpack@^5", "webpack-cli@^6", "rollup@^4", "@rollup/plugin-node-resolve@^16", "@rollup/plugin-commonjs@^28", "@rollup/plugin-json@^6"],
    app,
  );

  mkdirSync(join(app, "proto/user/v1"), { recursive: true });
  cpSync(join(repoRoot, "testdata/proto/user/v1/user.proto"), join(app, "proto/user/v1/user.proto"));
  for (const file of ["src", "rollup.config.mjs", "webpack.config.cjs"]) {
    cpSync(join(fixture, file), join(app, file), { recursive: true });
  }
  // The README's Serve and call; the fixture's handlers.ts is the "your UserServiceHandlers" it imports.
  for (const name of README_PROGRAMS) {
    writeFileSync(join(app, `src/${name}.ts`), readmeBlock(`// ${name}.ts`));
  }
  writeFileSync(join(app, "buf.yaml"), readmeBlock("# buf.yaml"));
  writeFileSync(join(app, "buf.gen.yaml"), readmeBlock("# buf.gen.yaml"));
  sh("npx", ["buf", "generate"], app);
  // The app as it is deployed: compiled.
  sh(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "--outDir", "dist", "--rootDir", "src", "--module", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node", "--typeRoots", join(repoRoot, "node_modules/@types"), "src/main.ts", "src/without-prom-client.ts", "src/server.ts", "src/client.ts"], app);
}, 600_000);

describe("the packages", () => {
  it("carry what they need and nothing else", () => {
    expectShipped(tarballs, repoRoot);
  });

  it("have no install scripts, so npm installs them without asking", () => {
    for (const tgz of Object.values(tarballs)) {
      const manifest = JSON.parse(sh("tar", ["-xzOf", tgz, "package/package.json"], work).stdout) as { scripts?: object };
      // prepack runs where a package is packed, never where it is installed.
      expect(Object.keys(manifest.scripts ?? {}), tgz).toEqual(["prepack"]);
    }
    expect(installLog).not.toMatch(/protoc-gen-ts-otel[^\n]*(prepare|install|postinstall)/);
  });

  it("install next to the Node 20 line of @opentelemetry/sdk-node", () => {
    const line = installCommands().find((l) => l.includes("@opentelemetry/sdk-node"));
    expect(line, "the README's Install names the SDK to add").toBeDefined();
    const api = JSON.parse(readFileSync(join(app, "node_modules/@opentelemetry/api/package.json"), "utf8")) as { version: string };
    const sdk = JSON.parse(readFileSync(join(app, "node_modules/@opentelemetry/sdk-node/package.json"), "utf8")) as { version: string };
    expect(api.version).toMatch(/^1\.9\./);
    expect(sdk.version).toMatch(/^0\.2\d\d\./);
  });
});

describe("npm pack in a fresh clone, never built", () => {
  let clone: string;
  beforeAll(() => {
    // The committed HEAD, as a release is packed: no dist/ anywhere.
    clone = join(work, "clone");
    const head = sh("git", ["rev-parse", "HEAD"], repoRoot).stdout.trim();
    sh("git", ["clone", "--quiet", "--no-checkout", repoRoot, clone], work);
    sh("git", ["checkout", "--quiet", "--detach", head], clone);
    sh("npm", ["ci"], clone);
  }, 600_000);

  it("builds what each package ships, that package alone", () => {
    const packed: Record<string, string> = {};
    const destination = join(work, "clone-packed");
    mkdirSync(destination);
    for (const [name, dir] of Object.entries(packageDirs)) {
      const others = Object.values(packageDirs).filter((d) => d !== dir);
      const builtBefore = others.map((d) => existsSync(join(clone, d, "dist")));
      expect(existsSync(join(clone, dir, "dist")), `${dir}/dist before npm pack`).toBe(false);
      Object.assign(packed, npmPack(join(clone, dir), destination));
      expect(Object.keys(packed)).toContain(name);
      expect(others.map((d) => existsSync(join(clone, d, "dist"))), "the other package's dist/").toEqual(builtBefore);
    }
    expectShipped(packed, clone);
  }, 300_000);
});

describe("buf generate, with the installed plugins", () => {
  it("writes the messages and the service side", () => {
    expect(existsSync(join(app, "src/gen/user/v1/user_pb.ts"))).toBe(true);
    const generated = readFileSync(join(app, "src/gen/user/v1/user_otel.ts"), "utf8");
    expect(generated).toContain(`from "${RUNTIME}"`);
    expect(generated).toBe(readFileSync(join(repoRoot, "golden/user/user/v1/user_otel.ts"), "utf8"));
  });

  it("resolves the options proto from the installed generator, with protoc and with buf", () => {
    // A project of its own that shares the app's installed node_modules, so that the
    // commands are the README's, with the relative path it gives.
    const dir = join(work, "options");
    mkdirSync(join(dir, "proto/shop/v1"), { recursive: true });
    cpSync(join(repoRoot, "testdata/proto/shop/v1/orders.proto"), join(dir, "proto/shop/v1/orders.proto"));
    symlinkSync(join(app, "node_modules"), join(dir, "node_modules"), "dir");
    const installed = `node_modules/${GENERATOR}/proto`;
    const bin = (name: string): string => join(dir, "node_modules/.bin", name);
    mkdirSync(join(dir, "gen-protoc"));
    sh(
      join(repoRoot, "node_modules/.bin/protoc"),
      ["-I", "proto", "-I", installed, `--plugin=protoc-gen-es=${bin("protoc-gen-es")}`, "--es_out=gen-protoc", "--es_opt=target=ts", `--plugin=protoc-gen-ts-otel=${bin(GENERATOR)}`, "--ts-otel_out=gen-protoc", "--ts-otel_opt=target=ts", "shop/v1/orders.proto", "tsotel/v1/options.proto"],
      dir,
    );
    writeFileSync(join(dir, "buf.yaml"), `version: v2\nmodules:\n  - path: proto\n  - path: ${installed}\n`);
    writeFileSync(join(dir, "buf.gen.yaml"), `version: v2\nplugins:\n  - local: ${bin("protoc-gen-es")}\n    out: gen-buf\n    opt: [target=ts]\n  - local: ${bin(GENERATOR)}\n    out: gen-buf\n    opt: [target=ts]\n`);
    sh(bin("buf"), ["generate"], dir);
    for (const gen of ["gen-protoc", "gen-buf"]) {
      expect(readdirSync(join(dir, gen), { recursive: true }).filter((f) => String(f).endsWith(".ts")).sort()).toEqual([
        "shop/v1/orders_otel.ts",
        "shop/v1/orders_pb.ts",
        "tsotel/v1/options_pb.ts",
      ]);
    }
  });
});

// One consumer project per resolution mode, each type-checking the generated code and
// the app's own sources against the installed packages under strict settings.
const resolutions = {
  "commonjs, node10": { type: "commonjs", compilerOptions: { module: "commonjs", moduleResolution: "node10", ignoreDeprecations: "6.0" } },
  node16: { type: "module", compilerOptions: { module: "node16", moduleResolution: "node16", verbatimModuleSyntax: true } },
  "nodenext, ESM": { type: "module", compilerOptions: { module: "nodenext", moduleResolution: "nodenext", verbatimModuleSyntax: true } },
  "nodenext, CommonJS": { type: "commonjs", compilerOptions: { module: "nodenext", moduleResolution: "nodenext" } },
  bundler: { type: "module", compilerOptions: { module: "preserve", moduleResolution: "bundler", verbatimModuleSyntax: true } },
} as const;

describe("type-checks as a consumer under every module resolution", () => {
  it.each(Object.entries(resolutions))("%s", (name, { type, compilerOptions }) => {
    const dir = join(app, `typecheck-${name.replace(/\W+/g, "-")}`);
    mkdirSync(dir, { recursive: true });
    // The README's client.ts awaits at the top level, which only an ES module can.
    cpSync(join(app, "src"), join(dir, "src"), { recursive: true, filter: (src) => type === "module" || !src.endsWith("/client.ts") });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...strictConsumerOptions,
          noEmit: true,
          skipLibCheck: false,
          ...compilerOptions,
        },
        include: ["src"],
      }),
    );
    const result = run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: dir, env: cleanEnv, timeout: 120_000 });
    // Diagnostics in other packages' own declarations (skipLibCheck is off) would be
    // theirs; ours and the generated code must have none.
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);
});

describe("in production, after npm ci --omit=dev", () => {
  beforeAll(() => {
    // The app as deployed: its lockfile, its compiled code, nothing of the build.
    prod = join(work, "prod");
    mkdirSync(prod);
    for (const file of ["package.json", "package-lock.json", "dist"]) {
      cpSync(join(app, file), join(prod, file), { recursive: true });
    }
    sh("npm", ["ci", "--omit=dev"], prod);
  }, 300_000);

  it("holds no compiler, no generator, and a runtime of at most 2 MB", () => {
    const packages = installedPackages(join(prod, "node_modules"));
    expect(packages.has(RUNTIME)).toBe(true);
    expect(packages.has("typescript")).toBe(false);
    expect(packages.has(GENERATOR)).toBe(false);
    expect(packages.has("@bufbuild/protoplugin")).toBe(false);
    const runtimeBytes = treeSize(join(prod, "node_modules", RUNTIME));
    expect(runtimeBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    console.log(`production tree ${(treeSize(join(prod, "node_modules")) / 2 ** 20).toFixed(1)} MiB, ${RUNTIME} ${(runtimeBytes / 1024).toFixed(0)} KiB`);
  });

  it("serves and calls, and prom-client's default register counts both sides", () => {
    expect(runApp("dist/main.js", prod)).toEqual({ result: expectedApp, stderr: "" });
  });

  it("without prom-client installed, calls work and one diag line says there are no Prometheus metrics", () => {
    const bare = join(work, "prod-without-prom-client");
    cpSync(prod, bare, { recursive: true });
    rmSync(join(bare, "node_modules/prom-client"), { recursive: true });
    const { result, stderr } = runApp("dist/without-prom-client.js", bare);
    expect(result).toEqual({ names: ["Ada", "Ada", "Ada"] });
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/prom-client could not be loaded, so there are no Prometheus metrics/);
  });
});

describe("bundled, run where there is no node_modules", () => {
  // Outside the work directory, where no parent has a node_modules to fall back on.
  const runDir = (): string => {
    const dir = tempDir("bundle");
    for (let d = dir; d !== parse(d).root; d = dirname(d)) {
      expect(existsSync(join(d, "node_modules")), `${d}/node_modules`).toBe(false);
    }
    return dir;
  };
  const esbuild = (): string => join(app, "node_modules/esbuild/bin/esbuild");

  it("as ESM (with the createRequire banner grpc-js needs), prom-client's default register counts the call", () => {
    const dir = runDir();
    sh(esbuild(), ["src/main.ts", "--bundle", "--platform=node", "--format=esm", `--outfile=${join(dir, "main.mjs")}`, "--banner:js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);", "--log-level=warning"], app);
    expect(runApp("main.mjs", dir)).toEqual({ result: expectedApp, stderr: "" });
  });

  it("as CommonJS, prom-client's default register counts the call", () => {
    const dir = runDir();
    sh(esbuild(), ["src/main.ts", "--bundle", "--platform=node", "--format=cjs", `--outfile=${join(dir, "main.cjs")}`, "--log-level=warning"], app);
    expect(runApp("main.cjs", dir)).toEqual({ result: expectedApp, stderr: "" });
  });

  // These bundlers keep no `require` for the runtime's ESM build to use, so it finds
  // prom-client through `import()`, a moment after the server is created.
  it.each([
    ["rollup", ["node_modules/rollup/dist/bin/rollup", "-c", "rollup.config.mjs", "--silent"], "main.mjs"],
    ["webpack", ["node_modules/webpack-cli/bin/cli.js", "-c", "webpack.config.cjs"], "main.cjs"],
  ])("by %s, prom-client's default register counts the call", (_, args, file) => {
    const dir = runDir();
    sh(process.execPath, args, app, { BUNDLE_OUT: join(dir, file) });
    expect(runApp(file, dir)).toEqual({ result: { ...expectedApp, registeredAtOnce: false }, stderr: "" });
  }, 120_000);

  it("without prom-client installed, the bundle builds and says once that there are no Prometheus metrics", () => {
    const dir = runDir();
    const without = join(work, "app-without-prom-client");
    cpSync(app, without, { recursive: true, filter: (src) => !src.includes("/typecheck-") });
    rmSync(join(without, "node_modules/prom-client"), { recursive: true });
    sh(join(without, "node_modules/esbuild/bin/esbuild"), ["src/without-prom-client.ts", "--bundle", "--platform=node", "--format=cjs", `--outfile=${join(dir, "main.cjs")}`, "--log-level=error"], without);
    const { result, stderr } = runApp("main.cjs", dir);
    expect(result).toEqual({ names: ["Ada", "Ada", "Ada"] });
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/prom-client could not be loaded/);
  });
});
