// pruneRequest on the request protoc itself sends, with option extensions of every kind
// (the fixture test/fixtures/prune-request): runs protoc, so it is in the slow lane.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FieldOptions_JSType } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { pruneRequest } from "../../src/request/prune-request.js";
import { repoRoot } from "../support/paths.js";
import { GOOGLE_API_HTTP, OWN_METHOD_OPTION, OWN_SERVICE_OPTION, expectPrunedAsDecoded, optionExtensions, response } from "../support/pruning.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs();

/**
 * The request protoc sends a plugin for the fixture with foreign options and for
 * shop/v1/orders.proto, caught by a plugin that writes its stdin to a file.
 */
function protocRequest(): Uint8Array {
  const dir = tempDir("prune");
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
