// What the tests that install the packed packages into projects outside this
// repository share: an environment without the workspace's npm settings, a runner
// that fails with the command's output, and the tarballs `npm publish` would upload.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./paths.js";
import { run } from "./run.js";
import type { RunResult } from "./run.js";

export const GENERATOR = "protoc-gen-ts-otel";
export const RUNTIME = "protoc-gen-ts-otel-runtime";

/** Each package's directory in a clone of this repository. */
export const packageDirs = { [RUNTIME]: "packages/runtime", [GENERATOR]: "packages/protoc-gen-ts-otel" } as const;

// npm run by `npm test` passes its own settings down as npm_* variables; a user's
// shell has none, and the fresh project must not see the workspace's.
export const cleanEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "INIT_CWD" && key !== "NODE_OPTIONS"),
);
const npmEnv = { ...cleanEnv, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };

/** Runs a command (npm's settings as a user's shell has them) and throws with its output unless it exits 0. */
export function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunResult {
  const result = run(command, args, { cwd, env: { ...npmEnv, ...env }, timeout: 300_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${String(result.status)}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  }
  return result;
}

/** The strict compiler options a consumer project type-checks the packages with (@types/node from this repository). */
export const strictConsumerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  target: "ES2022",
  lib: ["ES2023"],
  types: ["node"],
  typeRoots: [join(repoRoot, "node_modules/@types")],
} as const;

/** A fresh npm project at `dir` (created) with this package.json; returns `dir`. */
export function npmProject(dir: string, manifest: Readonly<Record<string, unknown>>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** `npm pack --json` of the package in `cwd` (or of the workspaces `args` name): package name → tarball path. */
export function npmPack(cwd: string, destination: string, args: readonly string[] = []): Record<string, string> {
  const packed = JSON.parse(sh("npm", ["pack", ...args, "--pack-destination", destination, "--json"], cwd).stdout) as { name: string; filename: string }[];
  return Object.fromEntries(packed.map((p) => [p.name, join(destination, p.filename)]));
}

/**
 * Both packages of this working tree, as `npm pack` makes them from the build that
 * `npm test` ran first. Their prepack (a fresh build) is skipped: it would replace the
 * dist/ directories that tests running beside this one read. The packaging test packs
 * a fresh clone with prepack.
 */
export function packWorkingTree(destination: string): Record<string, string> {
  for (const dir of Object.values(packageDirs)) {
    if (!existsSync(join(repoRoot, dir, "dist"))) {
      throw new Error(`${dir}/dist is missing: run \`npm run build\` first (npm test does)`);
    }
  }
  return npmPack(repoRoot, destination, [...Object.values(packageDirs).flatMap((dir) => ["--workspace", dir]), "--ignore-scripts"]);
}

/** The files of a tarball, sorted. */
export function tarballFiles(tgz: string): string[] {
  return sh("tar", ["-tzf", tgz], join(tgz, "..")).stdout.trim().split("\n").sort();
}

/** The runtime's modules (its .ts sources but declarations), relative to its src/ and without extension. */
export function runtimeModules(clone: string): string[] {
  const src = join(clone, packageDirs[RUNTIME], "src");
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(src, join(e.parentPath, e.name)).slice(0, -".ts".length))
    .sort();
}
