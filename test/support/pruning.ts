// What pruning a CodeGeneratorRequest must amount to, worked out on the decoded request
// by walking its descriptors: the tests of prune-request.ts compare its byte-level
// pruning with this.
import { clone, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  FieldOptionsSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  MethodOptionsSchema,
  OneofOptionsSchema,
  ServiceOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import type {
  CodeGeneratorRequest,
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
  FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { expect } from "vitest";
import { MethodTelemetrySchema, method as methodOption, service as serviceOption } from "../../src/gen/tsotel/v1/options_pb.js";
import { plugin } from "../../src/plugin.js";
import { isReadLocation, pruneRequest } from "../../src/request/prune-request.js";

/** `(tsotel.v1.service)` and `(tsotel.v1.method)`: the option extensions the plugin reads. */
export const OWN_SERVICE_OPTION = serviceOption.number;
export const OWN_METHOD_OPTION = methodOption.number;

const FIRST_EXTENSION = 1000;
/** google.api.http, on MethodOptions. */
export const GOOGLE_API_HTTP = 72295728;

/** An options message with the extensions the plugin does not read gone; unset if nothing is left. */
function keptOptions<Desc extends DescMessage>(
  schema: Desc,
  options: MessageShape<Desc> | undefined,
  kept?: number,
): MessageShape<Desc> | undefined {
  if (options === undefined) {
    return undefined;
  }
  options.$unknown = options.$unknown?.filter((u) => u.no < FIRST_EXTENSION || u.no === kept);
  return toBinary(schema, options).length === 0 ? undefined : options;
}

function pruneField(field: FieldDescriptorProto): void {
  field.options = keptOptions(FieldOptionsSchema, field.options);
}

function pruneEnum(e: EnumDescriptorProto): void {
  e.options = keptOptions(EnumOptionsSchema, e.options);
  for (const value of e.value) {
    value.options = keptOptions(EnumValueOptionsSchema, value.options);
  }
}

function pruneMessage(message: DescriptorProto, withFields: boolean): void {
  if (!withFields) {
    message.field = [];
    message.oneofDecl = [];
    for (const e of message.enumType) e.value = [];
  }
  message.options = keptOptions(MessageOptionsSchema, message.options);
  message.field.forEach(pruneField);
  message.extension.forEach(pruneField);
  for (const oneof of message.oneofDecl) {
    oneof.options = keptOptions(OneofOptionsSchema, oneof.options);
  }
  for (const range of message.extensionRange) {
    range.options = keptOptions(ExtensionRangeOptionsSchema, range.options);
  }
  message.enumType.forEach(pruneEnum);
  for (const nested of message.nestedType) pruneMessage(nested, withFields);
}

function pruneFile(file: FileDescriptorProto, generated: boolean, withFields: boolean): void {
  if (!generated) {
    file.sourceCodeInfo = undefined;
  } else if (file.sourceCodeInfo !== undefined) {
    file.sourceCodeInfo.location = file.sourceCodeInfo.location.filter((l) => isReadLocation(l.path));
  }
  file.options = keptOptions(FileOptionsSchema, file.options);
  for (const message of file.messageType) pruneMessage(message, withFields);
  if (!withFields) {
    for (const e of file.enumType) e.value = [];
  }
  file.enumType.forEach(pruneEnum);
  file.extension.forEach(pruneField);
  for (const service of file.service) {
    service.options = keptOptions(ServiceOptionsSchema, service.options, OWN_SERVICE_OPTION);
    for (const method of service.method) {
      method.options = keptOptions(MethodOptionsSchema, method.options, OWN_METHOD_OPTION);
    }
  }
}

/** Whether a method of the request reads request fields: span attributes or metric labels in its (tsotel.v1.method) option. */
function readsRequestFields(request: CodeGeneratorRequest): boolean {
  return [...request.protoFile, ...request.sourceFileDescriptors]
    .flatMap((f) => f.service.flatMap((s) => s.method))
    .some((m) =>
      (m.options?.$unknown ?? []).some((u) => {
        if (u.no !== OWN_METHOD_OPTION) return false;
        const own = fromBinary(MethodTelemetrySchema, u.data.subarray(lengthPrefixSize(u.data)));
        return own.spanAttributes.length > 0 || own.metricLabels.length > 0;
      }),
    );
}

// An unknown field's data holds its value as on the wire: a length-delimited one starts
// with its length.
function lengthPrefixSize(data: Uint8Array): number {
  let size = 1;
  while ((data[size - 1] ?? 0) >= 0x80) size++;
  return size;
}

/** What pruning must amount to, done on the decoded request by walking its descriptors. */
function expectedPruning(request: CodeGeneratorRequest): CodeGeneratorRequest {
  const expected = clone(CodeGeneratorRequestSchema, request);
  const withFields = readsRequestFields(request);
  for (const file of [...expected.protoFile, ...expected.sourceFileDescriptors]) {
    pruneFile(file, expected.fileToGenerate.includes(file.name), withFields);
  }
  return expected;
}

/** The pruned request decodes to exactly the request pruned by walking its descriptors. */
export function expectPrunedAsDecoded(bytes: Uint8Array): void {
  const pruned = fromBinary(CodeGeneratorRequestSchema, pruneRequest(bytes));
  const expected = expectedPruning(fromBinary(CodeGeneratorRequestSchema, bytes));
  // equals() ignores unknown fields, so option extensions; the encoding does not.
  expect(equals(CodeGeneratorRequestSchema, pruned, expected)).toBe(true);
  expect(toBinary(CodeGeneratorRequestSchema, pruned)).toEqual(toBinary(CodeGeneratorRequestSchema, expected));
}

/** The plugin's response to the request, pruned or not, serialized. */
export function response(bytes: Uint8Array): Uint8Array {
  const r = plugin.run(fromBinary(CodeGeneratorRequestSchema, bytes));
  expect(r.error).toBe("");
  expect(r.file.length).toBeGreaterThan(0);
  return toBinary(CodeGeneratorResponseSchema, r);
}

/** Every options message of every file, with the extension numbers it carries. */
export function optionExtensions(files: readonly FileDescriptorProto[]): { kind: string; numbers: number[] }[] {
  const found: { kind: string; numbers: number[] }[] = [];
  const add = (kind: string, options: { $unknown?: { no: number }[] | undefined } | undefined): void => {
    if (options !== undefined) {
      found.push({ kind, numbers: (options.$unknown ?? []).map((u) => u.no).filter((no) => no >= FIRST_EXTENSION) });
    }
  };
  const field = (f: FieldDescriptorProto): void => add("field", f.options);
  const enumType = (e: EnumDescriptorProto): void => {
    add("enum", e.options);
    e.value.forEach((v) => add("enum value", v.options));
  };
  const message = (m: DescriptorProto): void => {
    add("message", m.options);
    m.field.forEach(field);
    m.extension.forEach(field);
    m.oneofDecl.forEach((o) => add("oneof", o.options));
    m.extensionRange.forEach((r) => add("extension range", r.options));
    m.enumType.forEach(enumType);
    m.nestedType.forEach(message);
  };
  for (const file of files) {
    add("file", file.options);
    file.messageType.forEach(message);
    file.enumType.forEach(enumType);
    file.extension.forEach(field);
    for (const service of file.service) {
      add("service", service.options);
      service.method.forEach((m) => add("method", m.options));
    }
  }
  return found;
}
