import { imported, schemaType, shapeType } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { FileModel, MethodModel, ServiceModel } from "../src/model/file-model.js";

/**
 * export interface UserServiceHandlers {
 *   getUser(request: GetUserRequest, context: ServerContext): HandlerResult<typeof UserSchema>;
 *   …
 * }
 */
export function printHandlerInterface(f: GeneratedFile, model: FileModel, service: ServiceModel): void {
  f.print(f.jsDoc(service.handlersDoc));
  f.print(f.export("interface", service.handlersName), " {");
  service.methods.forEach((m, i) => {
    if (i > 0) {
      f.print();
    }
    f.print(f.jsDoc(m.doc, "  "));
    f.print("  ", m.member, "(", handlerParameters(f, model, m), "): ", handlerResult(f, model, m), ";");
  });
  f.print("}");
}

function handlerParameters(f: GeneratedFile, model: FileModel, m: MethodModel): Printable {
  const context = imported(f, "ServerContext", model.runtimeImport, true);
  const request = shapeType(f, m.input);
  const streaming = m.kind === "client_streaming" || m.kind === "bidi_streaming";
  return streaming
    ? ["requests: AsyncIterable<", request, ">, context: ", context]
    : ["request: ", request, ", context: ", context];
}

function handlerResult(f: GeneratedFile, model: FileModel, m: MethodModel): Printable {
  const streaming = m.kind === "server_streaming" || m.kind === "bidi_streaming";
  const type = imported(f, streaming ? "HandlerStream" : "HandlerResult", model.runtimeImport, true);
  return [type, "<typeof ", schemaType(f, m.output), ">"];
}
