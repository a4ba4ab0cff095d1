import { imported } from "./imports.js";
import type { GeneratedFile } from "@bufbuild/protoplugin";
import type { FileModel, ServiceModel } from "../src/model/file-model.js";

/**
 * export function addUserService(server: Server, handlers: UserServiceHandlers, options?: ServerOptions): void {
 *   addService(server, UserServiceDefinition, handlers, options);
 * }
 */
export function printServerRegistration(f: GeneratedFile, model: FileModel, service: ServiceModel): void {
  const runtime = model.runtimeImport;
  const server = imported(f, "Server", "@grpc/grpc-js", true);
  const options = imported(f, "ServerOptions", runtime, true);
  f.print(f.jsDoc(service.addDoc));
  f.print(f.export("function", service.addName), "(server: ", server, ", handlers: ", service.handlersName, ", options?: ", options, "): void {");
  f.print("  ", imported(f, "addService", runtime), "(server, ", service.tableName, ", handlers, options);");
  f.print("}");
}
