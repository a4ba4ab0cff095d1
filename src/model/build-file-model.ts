import type { DescFile, DescService } from "@bufbuild/protobuf";
import { docText } from "./doc.js";
import type { FileModel, MethodModel, ServiceModel } from "./file-model.js";
import { lowerFirst, memberScope, topLevelScope } from "./names.js";
import type { NameScope } from "./names.js";
import type { PluginOptions } from "./plugin-options.js";

/** Suffix of generated files: `user/v1/user.proto` → `user/v1/user_otel.ts`. */
export const OUTPUT_SUFFIX = "_otel";

/**
 * The view model of one proto file. A file without services yields a model with
 * none, which prints as a preamble only: protoplugin drops such a file unless
 * `keep_empty_files` is set.
 */
export function buildFileModel(file: DescFile, options: PluginOptions): FileModel {
  const scope = topLevelScope();
  return {
    file,
    outputPath: file.name + OUTPUT_SUFFIX,
    runtimeImport: options.runtimeImport,
    services: file.services.map((service) => buildServiceModel(service, scope)),
  };
}

function buildServiceModel(service: DescService, scope: NameScope): ServiceModel {
  // Not the bare service name: protoc-gen-es exports that (a GenService) from the
  // _pb file, and a module re-exporting both would be ambiguous.
  const tableName = scope.claim(`${service.name}Definition`);
  const handlersName = scope.claim(`${service.name}Handlers`);
  const clientName = scope.claim(`${service.name}Client`);
  const addName = scope.claim(`add${service.name}`);
  const members = memberScope();
  const methods = service.methods.map(
    (method): MethodModel => ({
      name: method.name,
      member: members.claim(lowerFirst(method.name)),
      kind: method.methodKind,
      input: method.input,
      output: method.output,
      doc: docText(method),
    }),
  );
  const name = service.typeName;
  return {
    typeName: name,
    tableName,
    handlersName,
    clientName,
    addName,
    tableDoc: docText(service, `The methods of ${name}: names, call kinds and message schemas.`),
    handlersDoc: docText(service, `The handlers of ${name}; register them with \`${addName}()\`.`),
    clientDoc: docText(service, `A client of ${name}.`),
    addDoc: docText(
      service,
      `Serves ${name} on a grpc-js server with the given handlers. A handler missing at run time answers UNIMPLEMENTED.`,
    ),
    methods,
  };
}
