// Field numbers from plugin.proto and descriptor.proto.
const REQUEST_FILE_TO_GENERATE = 1;
const REQUEST_PROTO_FILE = 15;
const REQUEST_SOURCE_FILE_DESCRIPTORS = 17;
const FILE_NAME = 1;
const FILE_SOURCE_CODE_INFO = 9;
const SOURCE_CODE_INFO_LOCATION = 1;
const LOCATION_PATH = 1;

/**
 * The first path elements (FileDescriptorProto fields) of the locations the plugin
 * reads: package, syntax and edition for the file preamble, services and their
 * methods for JSDoc.
 */
const KEPT_PATH_ROOTS: ReadonlySet<number> = new Set([2, 6, 12, 14]);

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** A byte range of the input, copied as is. */
interface Range {
  readonly start: number;
  readonly end: number;
}

/** A length-delimited field whose content is rebuilt from parts, so its length prefix is re-encoded. */
interface Rewritten {
  /** The field's tag bytes in the input. */
  readonly tag: Range;
  readonly parts: Part[];
  /** Bytes of the rebuilt content, without tag and length prefix. */
  readonly length: number;
}

type Part = Range | Rewritten;

/**
 * Drops from a serialized CodeGeneratorRequest the source code info the plugin never
 * reads, working on the wire format so that the request decodes much faster: files not
 * being generated lose `source_code_info`, files being generated keep only the
 * locations of package, syntax, edition and services. Everything else is copied byte
 * for byte. Throws an Error on input that is not valid protobuf wire format; source
 * info that is dropped is skipped whole, not checked.
 */
export function pruneSourceInfo(request: Uint8Array): Uint8Array {
  const toGenerate = filesToGenerate(request);
  const parts: Part[] = [];
  const reader = new WireReader(request, 0, request.length);
  while (!reader.done) {
    const start = reader.pos;
    reader.tag();
    const { field, wireType } = reader;
    // protoplugin takes a source_file_descriptors entry over the proto_file entry of
    // the same name, so both get the same treatment.
    if ((field === REQUEST_PROTO_FILE || field === REQUEST_SOURCE_FILE_DESCRIPTORS) && wireType === LEN) {
      const tag = { start, end: reader.pos };
      parts.push(pruneFile(request, tag, reader.lengthDelimited(), toGenerate));
    } else {
      reader.skip(wireType);
      pushRange(parts, start, reader.pos);
    }
  }
  const first = parts[0];
  if (parts.length === 1 && first !== undefined && isRange(first)) {
    return request;
  }
  const out = new Output(request, sumLengths(parts));
  out.write(parts);
  return out.bytes;
}

/** The names in `file_to_generate`, which may come anywhere in the request. */
function filesToGenerate(request: Uint8Array): Set<string> {
  const names = new Set<string>();
  const reader = new WireReader(request, 0, request.length);
  while (!reader.done) {
    reader.tag();
    const { field, wireType } = reader;
    if (field === REQUEST_FILE_TO_GENERATE && wireType === LEN) {
      names.add(reader.string());
    } else {
      reader.skip(wireType);
    }
  }
  return names;
}

/** One FileDescriptorProto field of the request, given its tag and content. */
function pruneFile(input: Uint8Array, tag: Range, content: Range, toGenerate: ReadonlySet<string>): Part {
  let name = "";
  const sourceInfos: { tag: Range; content: Range }[] = [];
  const reader = new WireReader(input, content.start, content.end);
  while (!reader.done) {
    const start = reader.pos;
    reader.tag();
    const { field, wireType } = reader;
    if (field === FILE_NAME && wireType === LEN) {
      // The name decides what to keep, and it may come after the source info; a
      // repeated singular field is decoded as its last occurrence.
      name = reader.string();
    } else if (field === FILE_SOURCE_CODE_INFO && wireType === LEN) {
      sourceInfos.push({ tag: { start, end: reader.pos }, content: reader.lengthDelimited() });
    } else {
      reader.skip(wireType);
    }
  }
  if (sourceInfos.length === 0) {
    return { start: tag.start, end: content.end };
  }
  const generate = toGenerate.has(name);
  const parts: Part[] = [];
  let copied = content.start;
  for (const info of sourceInfos) {
    pushRange(parts, copied, info.tag.start);
    if (generate) {
      parts.push(pruneSourceCodeInfo(input, info.tag, info.content));
    }
    copied = info.content.end;
  }
  pushRange(parts, copied, content.end);
  return { tag, parts, length: sumLengths(parts) };
}

/** One SourceCodeInfo of a file being generated: keeps the locations the plugin reads. */
function pruneSourceCodeInfo(input: Uint8Array, tag: Range, content: Range): Rewritten {
  const parts: Part[] = [];
  const reader = new WireReader(input, content.start, content.end);
  while (!reader.done) {
    const start = reader.pos;
    reader.tag();
    const { field, wireType } = reader;
    if (field === SOURCE_CODE_INFO_LOCATION && wireType === LEN) {
      if (isKeptLocation(input, reader.lengthDelimited())) {
        pushRange(parts, start, reader.pos);
      }
    } else {
      reader.skip(wireType);
      pushRange(parts, start, reader.pos);
    }
  }
  return { tag, parts, length: sumLengths(parts) };
}

function isKeptLocation(input: Uint8Array, location: Range): boolean {
  const reader = new WireReader(input, location.start, location.end);
  // The path is the concatenation of every occurrence of the field, packed or not.
  while (!reader.done) {
    reader.tag();
    const { field, wireType } = reader;
    if (field === LOCATION_PATH && wireType === VARINT) {
      return KEPT_PATH_ROOTS.has(reader.varint());
    }
    if (field === LOCATION_PATH && wireType === LEN) {
      const packed = reader.lengthDelimited();
      if (packed.end > packed.start) {
        return KEPT_PATH_ROOTS.has(new WireReader(input, packed.start, packed.end).varint());
      }
    } else {
      reader.skip(wireType);
    }
  }
  return false;
}

function isRange(part: Part): part is Range {
  return "start" in part;
}

function partLength(part: Part): number {
  return isRange(part) ? part.end - part.start : part.tag.end - part.tag.start + varintSize(part.length) + part.length;
}

function sumLengths(parts: readonly Part[]): number {
  let sum = 0;
  for (const part of parts) {
    sum += partLength(part);
  }
  return sum;
}

/** Appends a range, merged into the previous one when they touch, so that fewer copies are made. */
function pushRange(parts: Part[], start: number, end: number): void {
  if (start === end) {
    return;
  }
  const last = parts[parts.length - 1];
  if (last !== undefined && isRange(last) && last.end === start) {
    parts[parts.length - 1] = { start: last.start, end };
  } else {
    parts.push({ start, end });
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

class Output {
  readonly bytes: Uint8Array;
  private pos = 0;

  constructor(
    private readonly input: Uint8Array,
    size: number,
  ) {
    this.bytes = new Uint8Array(size);
  }

  write(parts: readonly Part[]): void {
    for (const part of parts) {
      if (isRange(part)) {
        this.copy(part);
      } else {
        this.copy(part.tag);
        this.varint(part.length);
        this.write(part.parts);
      }
    }
  }

  private copy(range: Range): void {
    this.bytes.set(this.input.subarray(range.start, range.end), this.pos);
    this.pos += range.end - range.start;
  }

  private varint(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.pos++] = value;
  }
}

const utf8 = new TextDecoder();

/** Reads the fields of one message, `pos` to `end`, checking that every read stays inside it. */
class WireReader {
  /** Of the last tag read; fields rather than a returned object, as this is the hot loop. */
  field = 0;
  wireType = 0;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a tag; `field` and `wireType` are then its parts. */
  tag(): void {
    const at = this.pos;
    const tag = this.varint();
    if (tag < 8 || tag > 0xffffffff) {
      throw this.error(`invalid tag ${tag} (field number out of range)`, at);
    }
    this.field = tag >>> 3;
    this.wireType = tag & 7;
  }

  /** Beyond 53 bits a varint loses precision, which no length or path root can reach. */
  varint(): number {
    const at = this.pos;
    // Tags and most lengths are one byte: the fast path is most of the scan.
    if (at < this.end) {
      const first = this.bytes[at] ?? 0x80;
      if (first < 0x80) {
        this.pos++;
        return first;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) {
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

  /** The content of a length-delimited field; the reader moves past it. */
  lengthDelimited(): Range {
    const at = this.pos;
    const length = this.varint();
    if (length > this.end - this.pos) {
      throw this.error(`length ${length} exceeds the ${this.end - this.pos} bytes left`, at);
    }
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  string(): string {
    const { start, end } = this.lengthDelimited();
    return utf8.decode(this.bytes.subarray(start, end));
  }

  skip(wireType: number): void {
    const at = this.pos;
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.advance(8, at);
        return;
      case LEN:
        this.lengthDelimited();
        return;
      case FIXED32:
        this.advance(4, at);
        return;
      case 3:
      case 4:
        throw this.error(`group (wire type ${wireType}) not supported`, at);
      default:
        throw this.error(`invalid wire type ${wireType}`, at);
    }
  }

  private advance(n: number, at: number): void {
    if (n > this.end - this.pos) {
      throw this.error("truncated fixed-width field", at);
    }
    this.pos += n;
  }

  private error(what: string, at: number): Error {
    return new Error(`malformed protobuf: ${what} at byte ${at}`);
  }
}
