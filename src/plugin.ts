import { createEcmaScriptPlugin } from "@bufbuild/protoplugin";
import type { Plugin, Schema } from "@bufbuild/protoplugin";
import { create } from "@bufbuild/protobuf";
import { CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, CodeGeneratorResponse } from "@bufbuild/protobuf/wkt";
import { printFile } from "../templates/file.js";
import { buildFileModel } from "./model/build-file-model.js";
import { DocComments } from "./model/doc.js";
import { EsNames } from "./model/es-names.js";
import { PluginError } from "./model/plugin-error.js";
import { explainParameterError, parsePluginOptions } from "./model/plugin-options.js";
import { checkTypeReferences } from "./model/request-check.js";
import type { PluginOptions } from "./model/plugin-options.js";
import { transpile } from "./transpile.js";
import { VERSION } from "./runtime/version.js";

export const PLUGIN_NAME = "protoc-gen-ts-otel";

function generateTs(schema: Schema<PluginOptions>): void {
  const names = new EsNames(schema.files, schema.options.bootstrapWkt);
  const docs = new DocComments();
  for (const file of schema.files) {
    const model = buildFileModel(file, schema.options, names, docs);
    printFile(schema.generateFile(`${model.outputPath}.ts`), model);
  }
}

function createPlugin(): Plugin {
  return createEcmaScriptPlugin<PluginOptions>({
    name: PLUGIN_NAME,
    version: `v${VERSION}`,
    parseOptions: parsePluginOptions,
    generateTs,
    transpile,
  });
}

/**
 * The plugin: CodeGeneratorRequest in, CodeGeneratorResponse out. Problems with the
 * request (bad parameters, unsupported editions, protos we refuse) come back as the
 * response's `error`, which protoc and buf print and fail on; `run` never throws.
 */
export const plugin: Plugin = {
  name: PLUGIN_NAME,
  version: `v${VERSION}`,
  run(request: CodeGeneratorRequest): CodeGeneratorResponse {
    try {
      const problems = checkTypeReferences(request);
      if (problems.length > 0) {
        throw new PluginError(problems);
      }
      // A fresh instance per request: protoplugin's instance remembers whether it
      // transpiled last time and would do it again for a later target=ts request.
      return createPlugin().run(request);
    } catch (err) {
      return create(CodeGeneratorResponseSchema, { error: errorMessage(err) });
    }
  },
};

function errorMessage(err: unknown): string {
  return explainParameterError(err instanceof Error ? err.message : String(err));
}
