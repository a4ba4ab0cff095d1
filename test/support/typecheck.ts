import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Project, ts } from "ts-morph";
import type { SourceFile } from "ts-morph";
import { repoRoot } from "./paths.js";

/** The strictest settings we promise generated code compiles under. */
export const strictOptions: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  useUnknownInCatchVariables: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  noEmit: true,
};

/**
 * A consumer package the way a user has one: its own package.json ("module" or
 * "commonjs") and dependencies found in node_modules, where the workspace links
 * protoc-gen-ts-otel-runtime, so that it resolves through the package's `exports` to
 * the built types. The sources themselves live in memory.
 */
export function consumerProject(kind: "module" | "commonjs", options: ts.CompilerOptions = {}): {
  project: Project;
  root: string;
} {
  // Inside node_modules so that every other dependency resolves by walking up; one
  // folder per process, because test files that type-check run side by side.
  const base = join(repoRoot, "node_modules/.cache/ts-otel-typecheck");
  const root = join(base, `${kind}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: `consumer-${kind}`, type: kind }));
  const project = new Project({
    compilerOptions: { ...strictOptions, ...options },
    skipAddingFilesFromTsConfig: true,
  });
  return { project, root };
}

/** Adds every file of golden/<name> with one of the extensions to the project, under `root`. */
export function addGolden(project: Project, root: string, name: string, extensions: readonly string[]): SourceFile[] {
  const dir = join(repoRoot, "golden", name);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && extensions.some((ext) => e.name.endsWith(ext)))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return project.createSourceFile(join(root, name, relative(dir, path)), readFileSync(path, "utf8"), {
        overwrite: true,
      });
    });
}

/** Diagnostics as readable lines: `file:line: message`. */
export function diagnosticLines(project: Project): string[] {
  return project.getPreEmitDiagnostics().map((d) => {
    const file = d.getSourceFile();
    const where = file === undefined ? "" : `${relative(repoRoot, file.getFilePath())}:${d.getLineNumber() ?? 0}: `;
    const message = d.getMessageText();
    return where + (typeof message === "string" ? message : ts.flattenDiagnosticMessageText(message.compilerObject, "\n"));
  });
}
