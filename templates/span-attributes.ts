import { fieldAccess, join } from "./field-access.js";
import { imported, shapeType } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { EnumNamesModel, FileModel, MethodModel } from "../src/model/file-model.js";
import type { SpanAttributeModel } from "../src/model/method-telemetry.js";

/**
 * const roleNames: { readonly [value: number]: string } = { 0: "ROLE_UNSPECIFIED", 1: "ROLE_ADMIN" };
 */
export function printEnumNames(f: GeneratedFile, table: EnumNamesModel): void {
  f.print("/** Value names of ", table.desc.typeName, ", for span attributes. */");
  const entries = table.values.map((v) => [String(v.number), ": ", f.string(v.name)]);
  f.print("const ", table.name, ": { readonly [value: number]: string } = { ", join(entries, ", "), " };");
}

/**
 * function userServiceGetUserSpanAttributes(request: GetUserRequest): Attributes {
 *   const attributes: Attributes = {};
 *   attributes["user.id"] = request.userId;
 *   return attributes;
 * }
 */
export function printSpanAttributes(f: GeneratedFile, model: FileModel, m: MethodModel): void {
  if (m.spanAttributesName === undefined) {
    return;
  }
  const attributesType = imported(f, "Attributes", "@opentelemetry/api", true);
  f.print("/** The span attributes ", m.name, " lifts from its request (proto option tsotel.v1.method). */");
  f.print("function ", m.spanAttributesName, "(request: ", shapeType(f, m.input), "): ", attributesType, " {");
  f.print("  const attributes: ", attributesType, " = {};");
  for (const attribute of m.spanAttributes) {
    const { guards, value } = fieldAccess(f, attribute.steps, "guard");
    const assignment = ["attributes[", f.string(attribute.name), "] = ", converted(model, attribute, value), ";"];
    if (guards.length === 0) {
      f.print("  ", assignment);
    } else {
      f.print("  if (", join(guards, " && "), ") {");
      f.print("    ", assignment);
      f.print("  }");
    }
  }
  f.print("  return attributes;");
  f.print("}");
}

function converted(model: FileModel, attribute: SpanAttributeModel, value: string): Printable {
  const convert = attribute.convert;
  if (convert === "none") {
    return value;
  }
  if (convert === "string") {
    return `String(${value})`;
  }
  const table = model.enumNames.find((t) => t.desc === convert.enum);
  return `${table?.name ?? ""}[${value}] ?? String(${value})`;
}
