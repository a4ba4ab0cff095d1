import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clone, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  FieldOptions_JSType,
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
import { describe, expect, it } from "vitest";
import { MethodTelemetrySchema, method as methodOption, service as serviceOption } from "../../src/gen/tsotel/v1/options_pb.js";
import { plugin } from "../../src/plugin.js";
import { OWN_METHOD_OPTION, OWN_SERVICE_OPTION, isReadLocation, pruneRequest } from "../../src/request/prune-request.js";
import { goldenCases } from "../support/cases.js";
import { codeGeneratorRequest } from "../support/descriptors.js";
import { repoRoot } from "../support/paths.js";

const FIRST_EXTENSION = 1000;
/** google.api.http, on MethodOptions. */
const GOOGLE_API_HTTP = 72295728;

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
function expectPrunedAsDecoded(bytes: Uint8Array): void {
  const pruned = fromBinary(CodeGeneratorRequestSchema, pruneRequest(bytes));
  const expected = expectedPruning(fromBinary(CodeGeneratorRequestSchema, bytes));
  // equals() ignores unknown fields, so option extensions; the encoding does not.
  expect(equals(CodeGeneratorRequestSchema, pruned, expected)).toBe(true);
  expect(toBinary(CodeGeneratorRequestSchema, pruned)).toEqual(toBinary(CodeGeneratorRequestSchema, expected));
}

/** The plugin's response to the request, pruned or not, serialized. */
function response(bytes: Uint8Array): Uint8Array {
  const r = plugin.run(fromBinary(CodeGeneratorRequestSchema, bytes));
  expect(r.error).toBe("");
  expect(r.file.length).toBeGreaterThan(0);
  return toBinary(CodeGeneratorResponseSchema, r);
}

/** Every options message of every file, with the extension numbers it carries. */
function optionExtensions(files: readonly FileDescriptorProto[]): { kind: string; numbers: number[] }[] {
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

it("keeps the extension numbers of tsotel.v1", () => {
  expect(OWN_SERVICE_OPTION).toBe(serviceOption.number);
  expect(OWN_METHOD_OPTION).toBe(methodOption.number);
});

describe.each(goldenCases)("pruning the request of golden case $name", (c) => {
  const bytes = toBinary(CodeGeneratorRequestSchema, codeGeneratorRequest(c.files, c.parameter));
  const original = fromBinary(CodeGeneratorRequestSchema, bytes);

  it("starts from a request with source info, and shrinks it", () => {
    const generated = original.protoFile.filter((f) => original.fileToGenerate.includes(f.name));
    expect(generated.some((f) => (f.sourceCodeInfo?.location.length ?? 0) > 0)).toBe(true);
    expect(pruneRequest(bytes).length).toBeLessThan(bytes.length);
  });

  it("leaves the plugin's response byte for byte the same", () => {
    expect(response(pruneRequest(bytes))).toEqual(response(bytes));
  });

  it("drops exactly the source info and the option extensions the plugin does not read", () => {
    expectPrunedAsDecoded(bytes);
  });
});

/**
 * The request protoc sends a plugin for the fixture with foreign options and for
 * shop/v1/orders.proto, caught by a plugin that writes its stdin to a file.
 */
function protocRequest(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "ts-otel-prune-"));
  const dump = join(dir, "dump.sh");
  const out = join(dir, "request.binpb");
  // Answers with supported_features = FEATURE_PROTO3_OPTIONAL.
  writeFileSync(dump, '#!/bin/sh\ncat > "$PRUNE_DUMP_TO"\nprintf "\\020\\001"\n');
  chmodSync(dump, 0o755);
  const includes = ["test/fixtures/prune-request", "packages/protoc-gen-ts-otel/proto", "testdata/proto", "node_modules/protoc/include", "node_modules/google-proto-files"];
  execFileSync(
    join(repoRoot, "node_modules/.bin/protoc"),
    [
      ...includes.map((i) => `-I${i}`),
      `--plugin=protoc-gen-dump=${dump}`,
      `--dump_out=${dir}`,
      "--dump_opt=target=ts,import_extension=js",
      "annotated/v1/annotated.proto",
      "shop/v1/orders.proto",
    ],
    { cwd: repoRoot, env: { ...process.env, PRUNE_DUMP_TO: out }, stdio: ["ignore", "ignore", "inherit"] },
  );
  return readFileSync(out);
}

describe("pruning a request with foreign option extensions, as protoc sends it", () => {
  const bytes = protocRequest();
  const original = fromBinary(CodeGeneratorRequestSchema, bytes);
  const pruned = fromBinary(CodeGeneratorRequestSchema, pruneRequest(bytes));
  const annotated = (r: CodeGeneratorRequest): FileDescriptorProto[] =>
    [...r.protoFile, ...r.sourceFileDescriptors].filter((f) => f.name === "annotated/v1/annotated.proto");

  it("starts from foreign extensions on every kind of options, and source-only ones in source_file_descriptors", () => {
    const kinds = new Set(optionExtensions(annotated(original)).filter((o) => o.numbers.some((n) => n !== OWN_SERVICE_OPTION && n !== OWN_METHOD_OPTION)).map((o) => o.kind));
    expect([...kinds].sort()).toEqual(["enum", "enum value", "extension range", "field", "file", "message", "method", "oneof", "service"]);
    const sourceNote = 50010;
    expect(optionExtensions(original.protoFile).some((o) => o.numbers.includes(sourceNote))).toBe(false);
    expect(optionExtensions(original.sourceFileDescriptors).some((o) => o.numbers.includes(sourceNote))).toBe(true);
  });

  it("keeps only tsotel's extensions, and no options message left empty", () => {
    const left = optionExtensions([...pruned.protoFile, ...pruned.sourceFileDescriptors]);
    expect(left.flatMap((o) => o.numbers.filter((n) => n !== OWN_SERVICE_OPTION && n !== OWN_METHOD_OPTION))).toEqual([]);
    for (const kind of ["service", "method"]) {
      expect(left.some((o) => o.kind === kind && o.numbers.length > 0)).toBe(true);
    }
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(optionExtensions([...original.protoFile, ...original.sourceFileDescriptors]).length);
  });

  it("keeps what the model reads: tsotel options, deprecated, packed, jstype, map_entry", () => {
    const [file] = annotated(pruned).slice(-1);
    const service = file?.service[0];
    const [getBook, listBooks] = service?.method ?? [];
    expect(file?.name).toBe("annotated/v1/annotated.proto");
    expect(service?.name).toBe("Library");
    expect([getBook?.name, listBooks?.name]).toEqual(["GetBook", "ListBooks"]);
    expect(service?.options?.$unknown?.map((u) => u.no)).toEqual([OWN_SERVICE_OPTION]);
    expect(getBook?.options?.$unknown?.map((u) => u.no)).toEqual([OWN_METHOD_OPTION]);
    expect(listBooks?.options?.deprecated).toBe(true);
    expect(listBooks?.options?.$unknown ?? []).toEqual([]);
    expect(file?.options?.deprecated).toBe(true);
    expect(file?.options?.javaPackage).toBe("com.example.annotated");
    const [request, list, book] = file?.messageType ?? [];
    expect([request?.name, list?.name, book?.name]).toEqual(["GetBookRequest", "ListBooksRequest", "Book"]);
    expect(request?.options).toBeUndefined();
    expect(request?.field[0]?.options).toBeUndefined();
    expect(list?.field.map((f) => [f.options?.deprecated, f.options?.packed])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(book?.field.find((f) => f.name === "isbn")?.options?.jstype).toBe(FieldOptions_JSType.JS_STRING);
    expect(book?.nestedType.find((m) => m.name === "LabelsEntry")?.options?.mapEntry).toBe(true);
    const withHttp = (r: CodeGeneratorRequest): string[] =>
      r.protoFile.flatMap((f) => f.service).flatMap((s) => s.method.filter((m) => m.options?.$unknown?.some((u) => u.no === GOOGLE_API_HTTP)).map((m) => m.name));
    expect(withHttp(original)).toEqual(["GetBook", "ListBooks"]);
    expect(withHttp(pruned)).toEqual([]);
  });

  it("leaves the plugin's response byte for byte the same", () => {
    expect(response(pruneRequest(bytes))).toEqual(response(bytes));
  });

  it("drops exactly what walking the decoded descriptors drops", () => {
    expectPrunedAsDecoded(bytes);
  });
});

// A hand-written wire encoder, so that the test controls every byte.
type Bytes = Uint8Array | readonly number[];

function concat(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function varint(value: number): number[] {
  // int32 is sign-extended to 64 bits on the wire, as for a negative path element.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const int = (field: number, value: number): Uint8Array => concat(varint(field * 8), varint(value));
const len = (field: number, ...content: Bytes[]): Uint8Array => {
  const body = concat(...content);
  return concat(varint(field * 8 + 2), varint(body.length), body);
};
const str = (field: number, text: string): Uint8Array => len(field, new TextEncoder().encode(text));
const fixed32 = (field: number): Uint8Array => concat(varint(field * 8 + 5), [1, 2, 3, 4]);
const fixed64 = (field: number): Uint8Array => concat(varint(field * 8 + 1), [1, 2, 3, 4, 5, 6, 7, 8]);

describe("pruneRequest on a hand-made request", () => {
  // Location: path = 1 (packed or not), leading_comments = 3.
  const serviceLocation = len(1, int(1, 6), int(1, 0), str(3, " The service.\n"));
  const messageLocation = len(1, len(1, [4, 0]), str(3, " A message.\n"));
  const syntaxLocation = len(1, len(1, [12]), str(3, " Syntax.\n"));
  // An empty packed path, then the first element unpacked: the path is [2].
  const packageLocation = len(1, len(1), int(1, 2));
  const negativeLocation = len(1, int(1, -1), int(1, 6));
  const pathlessLocation = len(1, str(3, " no path\n"));
  // Long enough that dropping it shortens the SourceCodeInfo's length prefix.
  const longLocation = len(1, len(1, [5, 0]), str(3, "x".repeat(300)));
  const unknownInSourceInfo = int(99, 7);
  const unknownInFile = str(1000, "kept");

  const request = concat(
    len(
      15,
      len(9, serviceLocation, messageLocation, unknownInSourceInfo, syntaxLocation, longLocation, pathlessLocation, packageLocation, negativeLocation),
      // The name after the source info, so it must be found before deciding.
      str(1, "a.proto"),
      unknownInFile,
      str(12, "proto3"),
    ),
    len(15, str(1, "b.proto"), len(9, serviceLocation, syntaxLocation), int(1001, 5)),
    int(50, 1),
    // file_to_generate after proto_file.
    str(1, "a.proto"),
    str(2, "target=ts"),
  );

  it("keeps the locations of package, service and syntax (path packed or not) and every unknown field, byte for byte", () => {
    const expected = concat(
      len(15, len(9, serviceLocation, unknownInSourceInfo, syntaxLocation, packageLocation), str(1, "a.proto"), unknownInFile, str(12, "proto3")),
      len(15, str(1, "b.proto"), int(1001, 5)),
      int(50, 1),
      str(1, "a.proto"),
      str(2, "target=ts"),
    );
    expect(pruneRequest(request)).toEqual(expected);
  });

  it("decodes to the request with the same locations dropped", () => {
    const pruned = fromBinary(CodeGeneratorRequestSchema, pruneRequest(request));
    const [a, b] = pruned.protoFile;
    expect(a?.sourceCodeInfo?.location.map((l) => l.path)).toEqual([[6, 0], [12], [2]]);
    expect(a?.sourceCodeInfo?.location[0]?.leadingComments).toBe(" The service.\n");
    expect(b?.sourceCodeInfo).toBeUndefined();
    expect(pruned.$unknown?.map((u) => u.no)).toEqual([50]);
    expect(a?.$unknown?.map((u) => u.no)).toEqual([1000]);
    expect(a?.sourceCodeInfo?.$unknown?.map((u) => u.no)).toEqual([99]);
    expect(b?.$unknown?.map((u) => u.no)).toEqual([1001]);
    expectPrunedAsDecoded(request);
  });

  it("returns a request with nothing to drop as it is", () => {
    const plain = concat(len(15, str(1, "a.proto"), str(2, "pkg"), len(8, str(1, "java.pkg"), int(3, 1))), str(1, "a.proto"));
    expect(pruneRequest(plain)).toBe(plain);
    expect(pruneRequest(new Uint8Array())).toEqual(new Uint8Array());
  });
});

describe("pruneRequest on hand-made option extensions", () => {
  // Foreign extensions of every wire type, and one long enough that dropping it
  // shortens the length prefixes of every message around it.
  const ext = str(50003, "foreign");
  const extVarint = int(1000, 1);
  const extFixed = concat(fixed32(1001), fixed64(536870911));
  const extLong = str(50004, "y".repeat(200));
  const http = len(GOOGLE_API_HTTP, str(2, "/v1/things"));
  const ownService = len(OWN_SERVICE_OPTION, int(3, 1));
  const ownMethod = len(OWN_METHOD_OPTION, int(1, 0));
  // FieldOptions.deprecated = 3, packed = 2; uninterpreted_option = 999, features = 21;
  // deprecated is 3 in MessageOptions and EnumOptions too, 33 in ServiceOptions and
  // MethodOptions.
  const deprecated = int(3, 1);
  const deprecatedMethod = int(33, 1);
  const packed = int(2, 1);
  const uninterpreted = len(999, str(3, "x"));
  const features = len(21, int(1, 2));

  // A method lifting a span attribute (MethodTelemetry.span_attributes = 4), so that
  // messages keep their fields, which these tests look into.
  const lifting = len(6, str(1, "Lifting"), len(2, str(1, "Call"), len(4, len(OWN_METHOD_OPTION, len(4, str(1, "a.b"), str(2, "f"))))));
  /** A request for one file, given the file's fields; the file is generated. */
  const fileRequest = (...fields: Uint8Array[]): Uint8Array => concat(len(15, str(1, "a.proto"), ...fields, lifting), str(1, "a.proto"));
  const prunedFile = (...fields: Uint8Array[]): Uint8Array => pruneRequest(fileRequest(...fields));

  it("drops a FieldOptions holding only extensions, of any wire type", () => {
    const field = (...options: Uint8Array[]): Uint8Array => len(2, str(1, "f"), int(3, 1), ...options);
    expect(prunedFile(len(4, str(1, "M"), field(len(8, ext, extVarint, extFixed, extLong))))).toEqual(
      fileRequest(len(4, str(1, "M"), field())),
    );
    // Empty options, which protoc does not write, decode as unset too.
    expect(prunedFile(len(4, str(1, "M"), field(len(8))))).toEqual(fileRequest(len(4, str(1, "M"), field())));
  });

  it("keeps every non-extension field of an options message, in order, byte for byte", () => {
    const field = (...options: Uint8Array[]): Uint8Array => len(2, str(1, "f"), len(8, ...options));
    expect(prunedFile(len(4, str(1, "M"), field(ext, deprecated, extLong, packed, features, extVarint, uninterpreted)))).toEqual(
      fileRequest(len(4, str(1, "M"), field(deprecated, packed, features, uninterpreted))),
    );
  });

  it("keeps (tsotel.v1.service) in ServiceOptions and (tsotel.v1.method) in MethodOptions, and only there", () => {
    // ServiceDescriptorProto: method = 2, options = 3; MethodDescriptorProto: options = 4.
    const service = (options: Uint8Array[], ...methods: Uint8Array[][]): Uint8Array =>
      len(6, str(1, "S"), ...methods.map((m, i) => len(2, str(1, `M${i}`), ...(m.length === 0 ? [] : [len(4, ...m)]))), ...(options.length === 0 ? [] : [len(3, ...options)]));
    expect(prunedFile(service([ext, ownService, ownMethod, extLong], [http, ownMethod, ownService], [http, extLong], [deprecatedMethod, http]))).toEqual(
      fileRequest(service([ownService], [ownMethod], [], [deprecatedMethod])),
    );
    expect(prunedFile(service([http], [ownMethod]))).toEqual(fileRequest(service([], [ownMethod])));
  });

  it("visits the options of the file, messages nested at any depth, their fields, extensions, oneofs, extension ranges, enums and enum values", () => {
    // Every options message has foreign extensions around, where `kept`, a field of
    // its own: deprecated (FieldOptions, MessageOptions, EnumOptions 3, EnumValueOptions
    // 1, FileOptions 23), features (OneofOptions 1), verification (ExtensionRangeOptions 3).
    const own = { field: deprecated, message: deprecated, enum: deprecated, value: int(1, 1), oneof: len(1, int(1, 1)), range: int(3, 1), file: int(23, 1) };
    const options = (field: number, kept: Bytes | undefined): Uint8Array => len(field, ext, kept ?? [], extLong);
    const pruned = (field: number, kept: Bytes | undefined): Uint8Array[] => (kept === undefined ? [] : [len(field, kept)]);
    /** The elements of a DescriptorProto, with or without foreign extensions. */
    const elements = (o: typeof options, kept: boolean): Uint8Array[] => [
      len(2, str(1, "field"), o(8, kept ? own.field : undefined)),
      len(6, str(1, "extension"), o(8, undefined)),
      len(8, str(1, "oneof"), o(2, kept ? own.oneof : undefined)),
      // ExtensionRange: start, end, options.
      len(5, int(1, 100), int(2, 200), o(3, kept ? own.range : undefined)),
      len(4, str(1, "Enum"), len(2, str(1, "V"), int(2, 0), o(3, kept ? own.value : undefined)), o(3, kept ? own.enum : undefined)),
    ];
    /** A file with options everywhere, with or without foreign extensions. */
    const file = (o: typeof options): Uint8Array =>
      fileRequest(
        o(8, own.file),
        len(
          4,
          str(1, "Outer"),
          ...elements(o, false),
          len(3, str(1, "Inner"), ...elements(o, true), len(3, str(1, "Innermost"), o(7, own.message))),
          o(7, undefined),
        ),
        len(5, str(1, "TopEnum"), len(2, str(1, "T"), o(3, undefined)), o(3, own.enum)),
        len(7, str(1, "top_extension"), o(8, own.field)),
      );
    const [input, expected] = [file(options), file((field, kept) => concat(...pruned(field, kept)))];
    expect(pruneRequest(input)).toEqual(expected);
    expectPrunedAsDecoded(input);
    // source_file_descriptors get the same treatment, and files not being generated too.
    const asSource = (bytes: Uint8Array): Uint8Array => {
      const r = fromBinary(CodeGeneratorRequestSchema, bytes);
      r.sourceFileDescriptors = r.protoFile;
      r.protoFile = r.protoFile.map((f) => ({ ...f, name: "other.proto" }));
      return toBinary(CodeGeneratorRequestSchema, r);
    };
    expect(pruneRequest(asSource(input))).toEqual(asSource(expected));
  });

  it("copies other length-delimited fields with the numbers of options as they are", () => {
    // Not LEN, so not an options message: FileDescriptorProto field 8 as a varint.
    const odd = fileRequest(int(8, 1), len(6, str(1, "S"), int(3, 5)));
    expect(pruneRequest(odd)).toBe(odd);
  });
});

describe("pruneRequest and the fields of messages", () => {
  const enumValue = len(2, str(1, "V"), int(2, 0));
  const message = len(
    4,
    str(1, "M"),
    len(2, str(1, "f"), int(3, 1)),
    len(8, str(1, "choice")),
    len(3, str(1, "Nested"), len(2, str(1, "g"), int(3, 1)), len(7, int(7, 1))),
    len(4, str(1, "E"), enumValue),
    len(6, str(1, "ext"), int(3, 100)),
  );
  const topEnum = len(5, str(1, "Top"), enumValue);
  const request = (...services: Uint8Array[]): Uint8Array => concat(len(15, str(1, "a.proto"), message, topEnum, ...services), str(1, "a.proto"));
  const switches = len(6, str(1, "S"), len(2, str(1, "Call"), len(4, len(OWN_METHOD_OPTION, int(1, 0)))));
  const lifting = len(6, str(1, "S"), len(2, str(1, "Call"), len(4, len(OWN_METHOD_OPTION, len(4, str(1, "a.b"), str(2, "f"))))));

  it("without span attributes, keeps the names, nesting, extensions and options of messages and enums, and drops fields, oneofs and enum values", () => {
    const expected = concat(
      len(15, str(1, "a.proto"), len(4, str(1, "M"), len(3, str(1, "Nested"), len(7, int(7, 1))), len(4, str(1, "E")), len(6, str(1, "ext"), int(3, 100))), len(5, str(1, "Top")), switches),
      str(1, "a.proto"),
    );
    expect(pruneRequest(request(switches))).toEqual(expected);
    expectPrunedAsDecoded(request(switches));
  });

  it("keeps them all when a method anywhere lifts span attributes, in proto_file or source_file_descriptors", () => {
    // Nothing to drop: the request comes back as it is.
    const input = request(lifting);
    expect(pruneRequest(input)).toBe(input);
    const inSource = concat(request(), len(17, str(1, "b.proto"), lifting));
    expect(fromBinary(CodeGeneratorRequestSchema, pruneRequest(inSource)).protoFile[0]?.messageType[0]?.field.map((f) => f.name)).toEqual(["f"]);
    expectPrunedAsDecoded(inSource);
  });

  it("keeps them all when a method lifts metric labels (MethodTelemetry.metric_labels = 6)", () => {
    const labelling = len(6, str(1, "S"), len(2, str(1, "Call"), len(4, len(OWN_METHOD_OPTION, len(6, str(2, "f"))))));
    const input = request(labelling);
    expect(pruneRequest(input)).toBe(input);
    expectPrunedAsDecoded(input);
  });

  it("drops them when a method declares only an slo (MethodTelemetry.slo = 5), which reads no field", () => {
    const objectives = len(6, str(1, "S"), len(2, str(1, "Call"), len(4, len(OWN_METHOD_OPTION, len(5, int(1, 1))))));
    expect(pruneRequest(request(objectives)).length).toBeLessThan(request(objectives).length);
    expectPrunedAsDecoded(request(objectives));
  });
});

describe("pruneRequest on input that is not protobuf wire format", () => {
  it.each([
    ["a truncated request", (r: Uint8Array) => r.subarray(0, r.length - 20), /^malformed protobuf: length \d+ exceeds the \d+ bytes left at byte \d+$/],
    ["field number 0", () => Uint8Array.of(0x00), /^malformed protobuf: invalid tag 0 \(field number out of range\) at byte 0$/],
    ["a group", () => concat(str(2, "x"), [0x1b, 0x1c]), /^malformed protobuf: group \(wire type 3\) not supported at byte 4$/],
    ["wire type 7", () => Uint8Array.of(0x0f), /^malformed protobuf: invalid wire type 7 at byte 1$/],
    ["a truncated varint", () => Uint8Array.of(0x08, 0x80), /^malformed protobuf: truncated varint at byte 1$/],
    ["an 11-byte varint", () => Uint8Array.of(0x08, ...Array<number>(10).fill(0xff), 0x01), /^malformed protobuf: varint longer than 10 bytes at byte 1$/],
    ["a truncated fixed64", () => Uint8Array.of(0x09, 1, 2, 3), /^malformed protobuf: truncated fixed-width field at byte 1$/],
    // The file (named "") is generated, so its locations are read.
    ["a location overrunning its source info", () => concat(str(1, ""), len(15, len(9, [0x0a, 0x05]))), /^malformed protobuf: length 5 exceeds the 0 bytes left at byte 7$/],
    // FileDescriptorProto.options holding a group extension (field 1000, wire type 3).
    ["a group in an options message", () => concat(len(15, len(8, [0xc3, 0x3e]))), /^malformed protobuf: group \(wire type 3\) not supported at byte 6$/],
    // An extension (DescriptorProto.extension = 6), which is looked into whatever the request.
    ["a field overrunning its message", () => concat(len(15, len(4, len(6, [0x42, 0x09, 0x18, 0x01])))), /^malformed protobuf: length 9 exceeds the 2 bytes left at byte 7$/],
    ["a truncated extension", () => concat(len(15, len(8, [0xc5, 0x3e, 1, 2]))), /^malformed protobuf: truncated fixed-width field at byte 6$/],
  ])("throws on %s", (_name, make, message) => {
    const request = toBinary(CodeGeneratorRequestSchema, codeGeneratorRequest(["user/v1/user.proto"], "target=ts"));
    expect(() => pruneRequest(make(request))).toThrow(message);
  });
});
