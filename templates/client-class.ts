import { imported, schemaType, shapeType } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { FileModel, MethodModel, ServiceModel } from "../src/model/file-model.js";

const callName: Record<MethodModel["kind"], string> = {
  unary: "unary",
  server_streaming: "serverStreaming",
  client_streaming: "clientStreaming",
  bidi_streaming: "bidiStreaming",
};

/**
 * export class UserServiceClient {
 *   getUser(request: MessageInitShape<typeof GetUserRequestSchema>, options?: CallOptions): Promise<User> {
 *     return this.#client.unary(UserServiceDefinition.methods.getUser, request, options);
 *   }
 *   …
 * }
 */
export function printClientClass(f: GeneratedFile, model: FileModel, service: ServiceModel): void {
  const runtime = model.runtimeImport;
  const serviceClient = imported(f, "ServiceClient", runtime);
  f.print(f.jsDoc(service.clientDoc));
  f.print(f.export("class", service.clientName), " {");
  f.print("  readonly #client: ", serviceClient, ";");
  f.print();
  f.print("  constructor(...args: ", imported(f, "ClientArgs", runtime, true), ") {");
  f.print("    this.#client = new ", serviceClient, "(", service.tableName, ", ...args);");
  f.print("  }");
  for (const m of service.methods) {
    const streamingRequest = m.kind === "client_streaming" || m.kind === "bidi_streaming";
    f.print();
    f.print(f.jsDoc(m.doc, "  "));
    f.print("  ", m.member, "(", requestParameter(f, model, m), ", options?: ", imported(f, "CallOptions", runtime, true), "): ", responseType(f, m), " {");
    f.print("    return this.#client.", callName[m.kind], "(", service.tableName, ".methods.", m.member, ", ", streamingRequest ? "requests" : "request", ", options);");
    f.print("  }");
  }
  f.print();
  f.print("  /** Closes the channel if this client created it; a shared channel stays open. */");
  f.print("  close(): void {");
  f.print("    this.#client.close();");
  f.print("  }");
  f.print("}");
}

function requestParameter(f: GeneratedFile, model: FileModel, m: MethodModel): Printable {
  const schema = schemaType(f, m.input);
  if (m.kind === "client_streaming" || m.kind === "bidi_streaming") {
    return ["requests: ", imported(f, "RequestStream", model.runtimeImport, true), "<typeof ", schema, ">"];
  }
  return ["request: ", imported(f, "MessageInitShape", "@bufbuild/protobuf", true), "<typeof ", schema, ">"];
}

function responseType(f: GeneratedFile, m: MethodModel): Printable {
  const shape = shapeType(f, m.output);
  const streaming = m.kind === "server_streaming" || m.kind === "bidi_streaming";
  return [streaming ? "AsyncIterable<" : "Promise<", shape, ">"];
}
