import { createRequire } from "node:module";
import type { EcmaScriptPluginOptions, FileInfo } from "@bufbuild/protoplugin";

type TypeScript = typeof import("typescript");

let typescript: TypeScript | undefined;

// Loaded on first use: a `target=ts` run never pays for the compiler.
function loadTypeScript(): TypeScript {
  typescript ??= createRequire(import.meta.url)("typescript") as TypeScript;
  return typescript;
}

/**
 * Turns the generated TypeScript into JavaScript and declarations file by file.
 * Generated code annotates every export, so neither step needs the imported
 * modules: transpileModule strips types, transpileDeclaration keeps them.
 * (protoplugin's transpile, which protoc-gen-es uses, type-checks without lib
 * files and fails on globals such as `Promise`.)
 */
export function transpile(
  files: FileInfo[],
  transpileJs: boolean,
  transpileDts: boolean,
  jsImportStyle: EcmaScriptPluginOptions["jsImportStyle"],
): FileInfo[] {
  const ts = loadTypeScript();
  const compilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: jsImportStyle === "legacy_commonjs" ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext,
    newLine: ts.NewLineKind.LineFeed,
  };
  const declarationOptions = { ...compilerOptions, declaration: true, isolatedDeclarations: true };
  const out: FileInfo[] = [];
  for (const file of files) {
    const base = file.name.replace(/\.ts$/, "");
    if (transpileJs) {
      const js = ts.transpileModule(file.content, { compilerOptions, fileName: file.name, reportDiagnostics: true });
      failOnDiagnostics(ts, file.name, js.diagnostics);
      out.push({ name: `${base}.js`, content: js.outputText, preamble: file.preamble });
    }
    if (transpileDts) {
      const dts = ts.transpileDeclaration(file.content, { compilerOptions: declarationOptions, fileName: file.name, reportDiagnostics: true });
      failOnDiagnostics(ts, file.name, dts.diagnostics);
      out.push({ name: `${base}.d.ts`, content: dts.outputText, preamble: file.preamble });
    }
  }
  return out;
}

function failOnDiagnostics(ts: TypeScript, fileName: string, diagnostics: readonly import("typescript").Diagnostic[] | undefined): void {
  const first = diagnostics?.[0];
  if (first !== undefined) {
    const message = ts.flattenDiagnosticMessageText(first.messageText, "\n");
    throw new Error(`cannot transpile ${fileName}: ${message}`);
  }
}
