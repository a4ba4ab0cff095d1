import { create, protoInt64 } from "@bufbuild/protobuf";
import { CodeGeneratorResponse_Feature, CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, CodeGeneratorResponse } from "@bufbuild/protobuf/wkt";
import { printFile } from "../templates/file.js";
import { GeneratedFile } from "./codegen/generated-file.js";
import type { FileInfo } from "./codegen/generated-file.js";
import { ImportPaths } from "./codegen/import-paths.js";
import { parseParameters } from "./codegen/parameters.js";
import { filePreamble } from "./codegen/preamble.js";
import { filesToGenerate, supportedEditions } from "./codegen/request-files.js";
import { buildFileModel } from "./model/build-file-model.js";
import { DocComments } from "./model/doc.js";
import { EsNames } from "./model/es-names.js";
import { PluginError } from "./model/plugin-error.js";
import { parsePluginOptions } from "./model/plugin-options.js";
import { checkTypeReferences } from "./model/request-check.js";
import { transpile } from "./transpile.js";
import { VERSION } from "./runtime/version.js";

export const PLUGIN_NAME = "protoc-gen-ts-otel";
const PLUGIN_VERSION = `v${VERSION}`;

/** A protoc plugin: a CodeGeneratorRequest in, a CodeGeneratorResponse out. */
interface CodeGeneratorPlugin {
  readonly name: string;
  readonly version: string;
  run(request: CodeGeneratorRequest): CodeGeneratorResponse;
}

/**
 * The plugin. Problems with the request (bad parameters, unsupported editions,
 * protos we refuse) come back as the response's `error`, which protoc and buf print
 * and fail on; `run` never throws.
 */
export const plugin: CodeGeneratorPlugin = {
  name: PLUGIN_NAME,
  version: PLUGIN_VERSION,
  run(request: CodeGeneratorRequest): CodeGeneratorResponse {
    try {
      return generate(request);
    } catch (err) {
      return create(CodeGeneratorResponseSchema, { error: errorMessage(err) });
    }
  },
};

// request → model → templates → files; js and dts are transpiled from the ts.
function generate(request: CodeGeneratorRequest): CodeGeneratorResponse {
  const problems = checkTypeReferences(request);
  if (problems.length > 0) {
    throw new PluginError(problems);
  }
  const { standard, own, quoted } = parseParameters(request.parameter, parsePluginOptions);
  const files = filesToGenerate(request);
  const header = {
    pluginName: PLUGIN_NAME,
    pluginVersion: standard.elidePluginVersion ? undefined : PLUGIN_VERSION,
    parameter: quoted,
    tsNocheck: standard.tsNocheck,
  };
  const importPaths = new ImportPaths(standard.rewriteImports, standard.importExtension);
  const names = new EsNames(files, standard.bootstrapWkt);
  const docs = new DocComments();
  const tsFiles: FileInfo[] = [];
  for (const file of files) {
    const model = buildFileModel(file, own, names, docs);
    const generated = new GeneratedFile(`${model.outputPath}.ts`, importPaths, (f) => filePreamble(f, header));
    printFile(generated, model);
    const info = generated.toFileInfo();
    // A file without services prints nothing but its preamble.
    if (standard.keepEmptyFiles || info.content !== "") {
      tsFiles.push(info);
    }
  }
  const targets = standard.targets;
  const out = targets.includes("ts") ? [...tsFiles] : [];
  if (targets.includes("js") || targets.includes("dts")) {
    out.push(...transpile(tsFiles, targets.includes("js"), targets.includes("dts"), standard.jsImportStyle));
  }
  return create(CodeGeneratorResponseSchema, {
    supportedFeatures: protoInt64.parse(CodeGeneratorResponse_Feature.PROTO3_OPTIONAL | CodeGeneratorResponse_Feature.SUPPORTS_EDITIONS),
    minimumEdition: supportedEditions.minimum,
    maximumEdition: supportedEditions.maximum,
    file: out.map((f) => ({ name: f.name, content: f.preamble === undefined ? f.content : `${f.preamble}\n${f.content}` })),
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
