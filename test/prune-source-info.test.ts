import { clone, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { plugin } from "../src/plugin.js";
import { pruneSourceInfo } from "../src/request/prune-source-info.js";
import { goldenCases } from "./support/cases.js";
import { codeGeneratorRequest } from "./support/descriptors.js";

const KEPT_PATH_ROOTS = [2, 6, 12, 14];

/** What pruning must amount to, done on the decoded request. */
function expectedPruning(request: CodeGeneratorRequest): CodeGeneratorRequest {
  const expected = clone(CodeGeneratorRequestSchema, request);
  for (const file of expected.protoFile) {
    if (!expected.fileToGenerate.includes(file.name)) {
      file.sourceCodeInfo = undefined;
    } else if (file.sourceCodeInfo !== undefined) {
      file.sourceCodeInfo.location = file.sourceCodeInfo.location.filter((l) => KEPT_PATH_ROOTS.includes(l.path[0] ?? -1));
    }
  }
  return expected;
}

describe.each(goldenCases)("pruning the request of golden case $name", (c) => {
  const bytes = toBinary(CodeGeneratorRequestSchema, codeGeneratorRequest(c.files, c.parameter));
  const original = fromBinary(CodeGeneratorRequestSchema, bytes);

  it("starts from a request with source info, and shrinks it", () => {
    const generated = original.protoFile.filter((f) => original.fileToGenerate.includes(f.name));
    expect(generated.some((f) => (f.sourceCodeInfo?.location.length ?? 0) > 0)).toBe(true);
    expect(pruneSourceInfo(bytes).length).toBeLessThan(bytes.length);
  });

  it("leaves the plugin's response byte for byte the same", () => {
    const pruned = fromBinary(CodeGeneratorRequestSchema, pruneSourceInfo(bytes));
    const before = plugin.run(original);
    expect(before.error).toBe("");
    expect(toBinary(CodeGeneratorResponseSchema, plugin.run(pruned))).toEqual(toBinary(CodeGeneratorResponseSchema, before));
  });

  it("drops exactly the source info of other files and the locations the plugin does not read", () => {
    const pruned = fromBinary(CodeGeneratorRequestSchema, pruneSourceInfo(bytes));
    expect(equals(CodeGeneratorRequestSchema, pruned, expectedPruning(original))).toBe(true);
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

describe("pruneSourceInfo on a hand-made request", () => {
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
    expect(pruneSourceInfo(request)).toEqual(expected);
  });

  it("decodes to the request with the same locations dropped", () => {
    const pruned = fromBinary(CodeGeneratorRequestSchema, pruneSourceInfo(request));
    const [a, b] = pruned.protoFile;
    expect(a?.sourceCodeInfo?.location.map((l) => l.path)).toEqual([[6, 0], [12], [2]]);
    expect(a?.sourceCodeInfo?.location[0]?.leadingComments).toBe(" The service.\n");
    expect(b?.sourceCodeInfo).toBeUndefined();
    expect(pruned.$unknown?.map((u) => u.no)).toEqual([50]);
    expect(a?.$unknown?.map((u) => u.no)).toEqual([1000]);
    expect(a?.sourceCodeInfo?.$unknown?.map((u) => u.no)).toEqual([99]);
    expect(b?.$unknown?.map((u) => u.no)).toEqual([1001]);
    expect(equals(CodeGeneratorRequestSchema, pruned, expectedPruning(fromBinary(CodeGeneratorRequestSchema, request)))).toBe(true);
  });

  it("returns a request without source info as it is", () => {
    const plain = concat(len(15, str(1, "a.proto"), str(2, "pkg")), str(1, "a.proto"));
    expect(pruneSourceInfo(plain)).toBe(plain);
    expect(pruneSourceInfo(new Uint8Array())).toEqual(new Uint8Array());
  });
});

describe("pruneSourceInfo on input that is not protobuf wire format", () => {
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
  ])("throws on %s", (_name, make, message) => {
    const request = toBinary(CodeGeneratorRequestSchema, codeGeneratorRequest(["user/v1/user.proto"], "target=ts"));
    expect(() => pruneSourceInfo(make(request))).toThrow(message);
  });
});
