import { create } from "@bufbuild/protobuf";
import { CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, CodeGeneratorResponse } from "@bufbuild/protobuf/wkt";
import { createEcmaScriptPlugin } from "@bufbuild/protoplugin";
import type { Plugin, Schema } from "@bufbuild/protoplugin";
import { printFile } from "../templates/file.js";
import { buildFileModel } from "./model/build-file-model.js";
import { DocComments } from "./model/doc.js";
import { EsNames } from "./model/es-names.js";
import { PluginError } from "./model/plugin-error.js";
import { explainParameterError, parsePluginOptions } from "./model/plugin-options.js";
import type { PluginOptions } from "./model/plugin-options.js";
import { checkTypeReferences } from "./model/request-check.js";
import { transpile } from "./transpile.js";
import { VERSION } from "./version.js";

export const PLUGIN_NAME = "protoc-gen-ts-otel";

const PLUGIN_VERSION = `v${VERSION}`;

// request → model → templates → files; protoplugin parses the parameter, resolves the
// files to generate, prints, writes the preamble and assembles the response; js and
// dts come from our transpile.
//
// Made afresh for every request: a protoplugin plugin remembers that one request asked
// for js or dts and transpiles every later one too (its flags live outside `run`).
// protoc and buf start a process per request; tests and embedders do not.
function ecmaScriptPlugin(): Plugin {
  return createEcmaScriptPlugin<PluginOptions>({
    name: PLUGIN_NAME,
    version: PLUGIN_VERSION,
    parseOptions: parsePluginOptions,
    generateTs(schema: Schema<PluginOptions>) {
      const names = new EsNames(schema.files, schema.options.bootstrapWkt);
      const docs = new DocComments();
      for (const file of schema.files) {
        const model = buildFileModel(file, schema.options, names, docs);
        printFile(schema.generateFile(`${model.outputPath}.ts`), model);
      }
    },
    transpile,
  });
}

/**
 * The plugin. Problems with the request (bad parameters, unsupported editions,
 * protos we refuse) come back as the response's `error`, which protoc and buf print
 * and fail on; `run` never throws.
 */
export const plugin: Plugin = {
  name: PLUGIN_NAME,
  version: PLUGIN_VERSION,
  run(request: CodeGeneratorRequest): CodeGeneratorResponse {
    try {
      // Before protoplugin builds its registry, which fails on the first dangling
      // reference with a message that does not say which rpc or field holds it.
      const problems = checkTypeReferences(request);
      if (problems.length > 0) {
        throw new PluginError(problems);
      }
      return ecmaScriptPlugin().run(request);
    } catch (err) {
      return create(CodeGeneratorResponseSchema, { error: explainParameterError(errorMessage(err)) });
    }
  },
};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
