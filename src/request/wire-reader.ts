import { WireType } from "@bufbuild/protobuf/wire";

// The low-level half of the request pruning pass (prune-request.ts): reading the
// protobuf wire format in place. protobuf-es's BinaryReader returns a fresh tag pair
// and a fresh subarray per field; a scan over tens of megabytes of descriptors that
// mostly skips is faster on one cursor that allocates nothing.

// Local copies: the hot loop compares against constants, not enum properties.
export const VARINT: number = WireType.Varint;
export const FIXED64: number = WireType.Bit64;
export const LEN: number = WireType.LengthDelimited;
export const FIXED32: number = WireType.Bit32;
const START_GROUP: number = WireType.StartGroup;
const END_GROUP: number = WireType.EndGroup;

const utf8 = new TextDecoder();

/**
 * Reads fields from `pos`; every read is given the end of the message it is in and
 * checks that it stays inside. One reader serves the whole request, nested messages
 * included, so that the scan allocates nothing for what it only looks at. Errors say
 * `malformed protobuf` and the byte offset they were found at.
 */
export class WireReader {
  pos = 0;
  /** Of the last tag read; fields rather than a returned object, as this is the hot loop. */
  field = 0;
  wireType = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Reads a tag; `field` and `wireType` are then its parts. */
  tag(end: number): void {
    const at = this.pos;
    const tag = this.varint(end);
    if (tag < 8 || tag > 0xffffffff) {
      throw this.error(`invalid tag ${tag} (field number out of range)`, at);
    }
    this.field = tag >>> 3;
    this.wireType = tag & 7;
  }

  /** Beyond 53 bits a varint loses precision, which no length or path root can reach. */
  varint(end: number): number {
    // Tags and most lengths are one byte: this fast path, small enough to be inlined,
    // is most of the scan.
    const at = this.pos;
    if (at < end) {
      const first = this.bytes[at] ?? 0x80;
      if (first < 0x80) {
        this.pos = at + 1;
        return first;
      }
    }
    return this.longVarint(end);
  }

  private longVarint(end: number): number {
    const at = this.pos;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) {
        throw this.error("truncated varint", at);
      }
      const byte = this.bytes[this.pos++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        return value;
      }
    }
    throw this.error("varint longer than 10 bytes", at);
  }

  /**
   * Reads the length prefix of a length-delimited field and returns where its content
   * ends; the reader is then at the start of the content.
   */
  enter(end: number): number {
    const at = this.pos;
    const length = this.varint(end);
    if (length > end - this.pos) {
      throw this.error(`length ${length} exceeds the ${end - this.pos} bytes left`, at);
    }
    return this.pos + length;
  }

  string(end: number): string {
    const contentEnd = this.enter(end);
    const text = utf8.decode(this.bytes.subarray(this.pos, contentEnd));
    this.pos = contentEnd;
    return text;
  }

  /** Skips the value of a field of `wireType`; groups are refused, as no descriptor field is one. */
  skip(wireType: number, end: number): void {
    const at = this.pos;
    switch (wireType) {
      case VARINT:
        this.varint(end);
        return;
      case FIXED64:
        this.advance(8, at, end);
        return;
      case LEN:
        this.pos = this.enter(end);
        return;
      case FIXED32:
        this.advance(4, at, end);
        return;
      case START_GROUP:
      case END_GROUP:
        throw this.error(`group (wire type ${wireType}) not supported`, at);
      default:
        throw this.error(`invalid wire type ${wireType}`, at);
    }
  }

  private advance(n: number, at: number, end: number): void {
    if (n > end - this.pos) {
      throw this.error("truncated fixed-width field", at);
    }
    this.pos += n;
  }

  private error(what: string, at: number): Error {
    return new Error(`malformed protobuf: ${what} at byte ${at}`);
  }
}

/** The number of bytes `value` takes as a varint. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}
