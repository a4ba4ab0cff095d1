import { imported, schemaType, schemaValue } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { FileModel, MethodModel, ServiceModel } from "../src/model/file-model.js";

const methodTypeName: Record<MethodModel["kind"], string> = {
  unary: "UnaryMethod",
  server_streaming: "ServerStreamingMethod",
  client_streaming: "ClientStreamingMethod",
  bidi_streaming: "BidiStreamingMethod",
};

/**
 * export const UserServiceDefinition: ServiceDefinition<{ getUser: UnaryMethod<…>; … }> =
 *   defineService("user.v1.UserService", { getUser: { name: "GetUser", … }, … });
 */
export function printServiceTable(f: GeneratedFile, model: FileModel, service: ServiceModel): void {
  const runtime = model.runtimeImport;
  f.print(f.jsDoc(service.tableDoc));
  f.print(f.export("const", service.tableName), ": ", imported(f, "ServiceDefinition", runtime, true), "<{");
  for (const m of service.methods) {
    const methodType = imported(f, methodTypeName[m.kind], runtime, true);
    f.print("  ", m.member, ": ", methodType, "<typeof ", schemaType(f, m.input), ", typeof ", schemaType(f, m.output), ">;");
  }
  f.print("}> = ", imported(f, "defineService", runtime), "(", f.string(service.typeName), ", {");
  for (const m of service.methods) {
    f.print("  ", m.member, ": { name: ", f.string(m.name), ", kind: ", f.string(m.kind), ", input: ", schemaValue(f, m.input), ", output: ", schemaValue(f, m.output), extras(m), " },");
  }
  f.print("});");
}

// The proto options' share of a table entry: switches that differ from the defaults,
// the span attribute extractor and the metric labels.
function extras(m: MethodModel): Printable[] {
  const out: Printable[] = [];
  const switches = Object.entries(m.telemetry).map(([key, value]) => `${key}: ${String(value)}`);
  if (switches.length > 0) {
    out.push(`, telemetry: { ${switches.join(", ")} }`);
  }
  if (m.spanAttributesName !== undefined) {
    out.push(", spanAttributes: ", m.spanAttributesName);
  }
  if (m.metricLabelsName !== undefined) {
    out.push(", metricLabels: ", m.metricLabelsName);
  }
  return out;
}
