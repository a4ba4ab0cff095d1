// The pruning pass's wire reader against protobuf-es's BinaryWriter: what the writer
// encodes, the reader walks field by field, and what is cut short it refuses with the
// offset where it stopped.
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { WireReader, varintSize } from "../../src/request/wire-reader.js";

/** A message with a field of every wire type the reader handles, and one nested message. */
function sample(): Uint8Array {
  const nested = new BinaryWriter().tag(1, WireType.Varint).uint32(300).finish();
  return new BinaryWriter()
    .tag(1, WireType.Varint).uint64(2n ** 52n + 1n)
    .tag(2, WireType.LengthDelimited).string("héllo")
    .tag(3, WireType.Bit64).fixed64(7n)
    .tag(4, WireType.Bit32).fixed32(9)
    .tag(536_870_911, WireType.LengthDelimited).bytes(nested)
    .finish();
}

describe("WireReader", () => {
  it("reads tags, varints and strings, and skips each wire type by its length", () => {
    const bytes = sample();
    const reader = new WireReader(bytes);
    const end = bytes.length;
    const seen: [number, number][] = [];
    let text = "";
    let big = 0;
    while (reader.pos < end) {
      reader.tag(end);
      seen.push([reader.field, reader.wireType]);
      if (reader.field === 1) {
        big = reader.varint(end);
      } else if (reader.field === 2) {
        text = reader.string(end);
      } else {
        reader.skip(reader.wireType, end);
      }
    }
    expect(seen).toEqual([
      [1, WireType.Varint],
      [2, WireType.LengthDelimited],
      [3, WireType.Bit64],
      [4, WireType.Bit32],
      [536_870_911, WireType.LengthDelimited],
    ]);
    expect(big).toBe(2 ** 52 + 1);
    expect(text).toBe("héllo");
    expect(reader.pos).toBe(end);
  });

  it("enters a nested message and stays inside it", () => {
    const inner = new BinaryWriter().tag(1, WireType.Varint).uint32(300).finish();
    const bytes = new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(inner).tag(6, WireType.Varint).uint32(1).finish();
    const reader = new WireReader(bytes);
    reader.tag(bytes.length);
    const innerEnd = reader.enter(bytes.length);
    expect(innerEnd - reader.pos).toBe(inner.length);
    reader.tag(innerEnd);
    expect([reader.field, reader.varint(innerEnd)]).toEqual([1, 300]);
    expect(reader.pos).toBe(innerEnd);
    // A read given the nested message's end does not run into the next field.
    expect(() => { reader.varint(innerEnd); }).toThrow(/^malformed protobuf: truncated varint at byte \d+$/);
  });

  it.each([
    ["field number 0", [0x00], (r: WireReader, end: number) => { r.tag(end); }, "invalid tag 0 (field number out of range) at byte 0"],
    ["a length past the end", [0x0a, 0x05, 0x01], (r: WireReader, end: number) => { r.tag(end); r.enter(end); }, "length 5 exceeds the 1 bytes left at byte 1"],
    ["a truncated fixed32", [0x0d, 0x01], (r: WireReader, end: number) => { r.tag(end); r.skip(r.wireType, end); }, "truncated fixed-width field at byte 1"],
    ["a start group", [0x0b], (r: WireReader, end: number) => { r.tag(end); r.skip(r.wireType, end); }, "group (wire type 3) not supported at byte 1"],
    ["wire type 6", [0x0e], (r: WireReader, end: number) => { r.tag(end); r.skip(r.wireType, end); }, "invalid wire type 6 at byte 1"],
    ["an 11-byte varint", [...Array<number>(10).fill(0xff), 0x01], (r: WireReader, end: number) => { r.varint(end); }, "varint longer than 10 bytes at byte 0"],
  ] as const)("refuses %s", (_name, bytes, read, message) => {
    const input = Uint8Array.from(bytes);
    expect(() => { read(new WireReader(input), input.length); }).toThrow(`malformed protobuf: ${message}`);
  });
});

describe("varintSize", () => {
  it.each([0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 52])("is the length BinaryWriter gives %d", (value) => {
    expect(varintSize(value)).toBe(new BinaryWriter().uint64(value).finish().length);
  });
});
