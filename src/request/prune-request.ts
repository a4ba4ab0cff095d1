// A wire-level pass over the serialized CodeGeneratorRequest, run before the request
// is decoded: decoding with protobuf-es is reflective and allocates one object per
// descriptor and per options message, so bytes the plugin never reads are cheapest
// dropped before they become objects.
//
// This replaces the decoding step of protoplugin's runNodeJs, which decodes the whole
// request: on googleapis-sized requests most of the bytes are source info of files not
// generated, option extensions of other tools and the fields of messages (16.9 MB →
// 2.4 MB on the cloud corpus, decoding about 5× faster). src/cli.ts runs it.
//
// The rule: what survives = what the plugin reads. Whatever src/model, or protoplugin
// on our behalf (the preamble), reads from the request must come through this pass
// byte for byte; a
// change that starts reading another part of the request (another option extension,
// the source info of another element) must keep it here too, or it will silently read
// nothing. Today that is:
//   - every field of every descriptor, except
//     - `source_code_info`, which files not being generated lose whole and files being
//       generated keep only for the package and syntax statements (read by
//       protoplugin's preamble) and for services and methods (JSDoc), not for their
//       parts;
//     - the fields and oneofs of messages and the values of enums, which only span
//       attributes and metric labels read (the lifted field, the messages and enums on
//       its path, a label's enum values): when no method of the request lifts any (no
//       `span_attributes` or `metric_labels` in a (tsotel.v1.method) option), every
//       message keeps its name, nesting, extensions and options, which the names of
//       generated code are made from, and nothing else;
//   - in options messages, every non-extension field (numbers below 1000: deprecated,
//     features, map_entry, packed, jstype, debug_redact, uninterpreted_option, ...);
//     of the extensions (1000 and up), only (tsotel.v1.service) in ServiceOptions and
//     (tsotel.v1.method) in MethodOptions. An options message left empty goes whole,
//     so that it decodes as unset.
//
// Every field number comes from the schemas of plugin.proto, descriptor.proto and our
// options.proto (as protobuf-es's own source-code-info.ts builds source paths), none
// written out by hand; the wire reading itself is wire-reader.ts.

import type { DescExtension, DescField, DescMessage } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProtoSchema,
  EnumDescriptorProtoSchema,
  EnumOptionsSchema,
  EnumValueDescriptorProtoSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  MethodDescriptorProtoSchema,
  MethodOptionsSchema,
  OneofDescriptorProtoSchema,
  OneofOptionsSchema,
  ServiceDescriptorProtoSchema,
  ServiceOptionsSchema,
  SourceCodeInfo_LocationSchema,
  SourceCodeInfoSchema,
} from "@bufbuild/protobuf/wkt";
import { MethodTelemetrySchema, method as methodOption, service as serviceOption } from "../gen/tsotel/v1/options_pb.js";
import { FILE_SERVICE } from "../model/doc.js";
import { LEN, VARINT, WireReader, varintSize } from "./wire-reader.js";

const REQUEST_FILE_TO_GENERATE = CodeGeneratorRequestSchema.field.fileToGenerate.number;
const REQUEST_PROTO_FILE = CodeGeneratorRequestSchema.field.protoFile.number;
const REQUEST_SOURCE_FILE_DESCRIPTORS = CodeGeneratorRequestSchema.field.sourceFileDescriptors.number;
const FILE_NAME = FileDescriptorProtoSchema.field.name.number;
const FILE_PACKAGE = FileDescriptorProtoSchema.field.package.number;
const FILE_SYNTAX = FileDescriptorProtoSchema.field.syntax.number;
const SOURCE_CODE_INFO_LOCATION = SourceCodeInfoSchema.field.location.number;
const LOCATION_PATH = SourceCodeInfo_LocationSchema.field.path.number;
const SERVICE_METHOD = ServiceDescriptorProtoSchema.field.method.number;
const METHOD_OPTIONS = MethodDescriptorProtoSchema.field.options.number;
/** The options in tsotel.v1.MethodTelemetry that read request fields. */
const OWN_FIELD_READERS = [MethodTelemetrySchema.field.spanAttributes.number, MethodTelemetrySchema.field.metricLabels.number];

/** `(tsotel.v1.service)`, the extension of ServiceOptions the plugin reads (proto/tsotel/v1/options.proto). */
export const OWN_SERVICE_OPTION = serviceOption.number;
/** `(tsotel.v1.method)`, the extension of MethodOptions the plugin reads. */
export const OWN_METHOD_OPTION = methodOption.number;

/**
 * Whether the plugin reads the location of `path`: `[package]` and `[syntax]` for the
 * file preamble, `[service, i]` and `[service, i, method, j]` for JSDoc (the elements
 * themselves; the locations of their names, types and options are not read).
 */
export function isReadLocation(path: readonly number[]): boolean {
  const [root] = path;
  switch (path.length) {
    case 1:
      return root === FILE_PACKAGE || root === FILE_SYNTAX;
    case 2:
      return root === FILE_SERVICE;
    case 4:
      return root === FILE_SERVICE && path[2] === SERVICE_METHOD;
    default:
      return false;
  }
}

/** What the pass does with a length-delimited field of the message it is in. */
type Shape = DescriptorShape | FileShape | OptionsShape | LocationsShape | DropShape;

/** A message whose fields in `children` are visited; the others are copied. */
interface DescriptorShape {
  readonly kind: "descriptor";
  readonly children: Map<number, Shape>;
}

/** A FileDescriptorProto: GENERATED_FILE or OTHER_FILE, by its name. */
interface FileShape {
  readonly kind: "file";
}

/**
 * An options message: extensions (fields from `firstExtension` on) go, except `kept`;
 * it goes whole if nothing is left.
 */
interface OptionsShape {
  readonly kind: "options";
  readonly firstExtension: number;
  readonly kept: number | undefined;
}

/** The SourceCodeInfo of a file being generated: only the locations the plugin reads stay. */
interface LocationsShape {
  readonly kind: "locations";
}

/** A field dropped whole, not looked into. */
interface DropShape {
  readonly kind: "drop";
}

/** A message whose listed fields are visited, each with its shape. */
function descriptor(children: readonly (readonly [DescField, Shape])[]): DescriptorShape {
  return { kind: "descriptor", children: new Map(children.map(([field, shape]) => [field.number, shape])) };
}

/** The options message of `schema`, keeping the extension `kept` if given. */
function options(schema: DescMessage, kept?: DescExtension): OptionsShape {
  // The *Options messages declare `extensions 1000 to max`.
  const firstExtension = Math.min(...schema.proto.extensionRange.map((range) => range.start));
  return { kind: "options", firstExtension, kept: kept?.number };
}

const DROP_WHOLE: DropShape = { kind: "drop" };
const FIELD = descriptor([[FieldDescriptorProtoSchema.field.options, options(FieldOptionsSchema)]]);
const ONEOF = descriptor([[OneofDescriptorProtoSchema.field.options, options(OneofOptionsSchema)]]);
const ENUM_VALUE = descriptor([[EnumValueDescriptorProtoSchema.field.options, options(EnumValueOptionsSchema)]]);
const ENUM = descriptor([
  [EnumDescriptorProtoSchema.field.value, ENUM_VALUE],
  [EnumDescriptorProtoSchema.field.options, options(EnumOptionsSchema)],
]);
// An enum without its values, for requests without span attributes.
const ENUM_NAME = descriptor([
  [EnumDescriptorProtoSchema.field.value, DROP_WHOLE],
  [EnumDescriptorProtoSchema.field.options, options(EnumOptionsSchema)],
]);
const EXTENSION_RANGE = descriptor([[DescriptorProto_ExtensionRangeSchema.field.options, options(ExtensionRangeOptionsSchema)]]);
const METHOD = descriptor([[MethodDescriptorProtoSchema.field.options, options(MethodOptionsSchema, methodOption)]]);
const SERVICE = descriptor([
  [ServiceDescriptorProtoSchema.field.method, METHOD],
  [ServiceDescriptorProtoSchema.field.options, options(ServiceOptionsSchema, serviceOption)],
]);

/**
 * A message with its nested messages (the same shape), enums, extension ranges,
 * extensions and options; fields, oneofs and enum values only when span attributes or
 * metric labels may read them.
 */
function message(withFields: boolean): DescriptorShape {
  const fields = DescriptorProtoSchema.field;
  const shape = descriptor([
    [fields.field, withFields ? FIELD : DROP_WHOLE],
    [fields.enumType, withFields ? ENUM : ENUM_NAME],
    [fields.extensionRange, EXTENSION_RANGE],
    [fields.extension, FIELD],
    [fields.options, options(MessageOptionsSchema)],
    [fields.oneofDecl, withFields ? ONEOF : DROP_WHOLE],
  ]);
  shape.children.set(fields.nestedType.number, shape);
  return shape;
}

/** A FileDescriptorProto's messages, enums, services, extensions, options, and source info as given. */
function file(message: DescriptorShape, enumShape: DescriptorShape, sourceInfo: Shape): DescriptorShape {
  const fields = FileDescriptorProtoSchema.field;
  return descriptor([
    [fields.messageType, message],
    [fields.enumType, enumShape],
    [fields.service, SERVICE],
    [fields.extension, FIELD],
    [fields.options, options(FileOptionsSchema)],
    [fields.sourceCodeInfo, sourceInfo],
  ]);
}

/** The shapes of generated and other files, with or without the fields of messages. */
interface FileShapes {
  readonly generated: DescriptorShape;
  readonly other: DescriptorShape;
}

function fileShapes(withFields: boolean): FileShapes {
  const messageShape = message(withFields);
  const enumShape = withFields ? ENUM : ENUM_NAME;
  return {
    generated: file(messageShape, enumShape, { kind: "locations" }),
    other: file(messageShape, enumShape, DROP_WHOLE),
  };
}

const WITH_FIELDS = fileShapes(true);
const NAMES_ONLY = fileShapes(false);

// protoplugin's createSchema takes a source_file_descriptors entry over the
// proto_file entry of the same name, so both get the same treatment.
const REQUEST = descriptor([
  [CodeGeneratorRequestSchema.field.protoFile, { kind: "file" }],
  [CodeGeneratorRequestSchema.field.sourceFileDescriptors, { kind: "file" }],
]);

/** The length written in place of a dropped range: none. */
const DROP = -1;

/**
 * Drops from a serialized CodeGeneratorRequest what the plugin never reads (see the
 * rule above), working on the wire format so that the request decodes much faster.
 * Both `proto_file` and `source_file_descriptors` entries are pruned. Everything kept
 * is copied byte for byte but for the length prefixes of the messages that shrink,
 * which are re-encoded; a request with nothing to drop is returned as it is. Throws
 * an Error on input that is not valid protobuf wire format, and on groups: no
 * descriptor field is one, and an option extension declared as a group is rare enough
 * to leave to the caller's unpruned decoding. Whatever is dropped whole is skipped,
 * not checked.
 */
export function pruneRequest(request: Uint8Array): Uint8Array {
  // A plain view: subarray() of a Buffer, as stdin gives, is much slower.
  const input = new Uint8Array(request.buffer, request.byteOffset, request.byteLength);
  const reader = new WireReader(input);
  const toGenerate = namesToGenerate(reader, input.length);
  reader.pos = 0;
  const shapes = readsRequestFields(reader, input.length) ? WITH_FIELDS : NAMES_ONLY;
  reader.pos = 0;
  const pruner = new Pruner(reader, toGenerate, shapes);
  const removed = pruner.message(input.length, REQUEST);
  return removed === 0 ? request : applyEdits(input, pruner.edits, pruner.size, input.length - removed);
}

/** The names in `file_to_generate`, which may come anywhere in the request. */
function namesToGenerate(reader: WireReader, end: number): Set<string> {
  const names = new Set<string>();
  while (reader.pos < end) {
    reader.tag(end);
    if (reader.field === REQUEST_FILE_TO_GENERATE && reader.wireType === LEN) {
      names.add(reader.string(end));
    } else {
      reader.skip(reader.wireType, end);
    }
  }
  return names;
}

/**
 * Whether a method anywhere in the request has span attributes or metric labels in its
 * (tsotel.v1.method) option: only then does the plugin read fields of messages. Looks
 * into files, services, methods and method options only; everything else is skipped by
 * its length.
 */
function readsRequestFields(reader: WireReader, end: number): boolean {
  // Each level looks for its fields and hands their content to the next one.
  const within =
    (fields: readonly number[], inside: (end: number) => boolean) =>
    (at: number): boolean => {
      while (reader.pos < at) {
        reader.tag(at);
        if (fields.includes(reader.field) && reader.wireType === LEN) {
          const childEnd = reader.enter(at);
          if (inside(childEnd)) return true;
          reader.pos = childEnd;
        } else {
          reader.skip(reader.wireType, at);
        }
      }
      return false;
    };
  const fieldReaders = (at: number): boolean => {
    while (reader.pos < at) {
      reader.tag(at);
      if (OWN_FIELD_READERS.includes(reader.field)) return true;
      reader.skip(reader.wireType, at);
    }
    return false;
  };
  const method = within([METHOD_OPTIONS], within([OWN_METHOD_OPTION], fieldReaders));
  const files = within([FILE_SERVICE], within([SERVICE_METHOD], method));
  return within([REQUEST_PROTO_FILE, REQUEST_SOURCE_FILE_DESCRIPTORS], files)(end);
}

/**
 * The name of the FileDescriptorProto the reader is at the start of, which decides
 * what to keep of its source info and may come after it; a repeated singular field is
 * decoded as its last occurrence. The reader is left where it was.
 */
function fileName(reader: WireReader, end: number): string {
  const start = reader.pos;
  let name = "";
  while (reader.pos < end) {
    reader.tag(end);
    if (reader.field === FILE_NAME && reader.wireType === LEN) {
      name = reader.string(end);
    } else {
      reader.skip(reader.wireType, end);
    }
  }
  reader.pos = start;
  return name;
}

/**
 * The one pass over the request: it reads the input once and records, in input order,
 * the ranges to drop and the length prefixes to rewrite; `applyEdits` then writes the
 * output. Every method prunes from the reader's position to `end` and returns by how
 * many bytes that shrank, so nothing is allocated for what stays as it is.
 */
class Pruner {
  /**
   * Three numbers an edit: input start, input end, and the length to write there as a
   * varint, or DROP. Only the first `size` numbers count: cutting `size` back is much
   * cheaper than setting an array's length.
   */
  readonly edits: number[] = [];
  size = 0;

  constructor(
    private readonly reader: WireReader,
    private readonly toGenerate: ReadonlySet<string>,
    private readonly files: FileShapes,
  ) {}

  /** A message: the fields its shape names are pruned; everything else stays. */
  message(end: number, shape: DescriptorShape): number {
    const reader = this.reader;
    let removed = 0;
    while (reader.pos < end) {
      const start = reader.pos;
      reader.tag(end);
      const child = reader.wireType === LEN ? shape.children.get(reader.field) : undefined;
      if (child === undefined) {
        reader.skip(reader.wireType, end);
      } else {
        removed += this.child(start, end, child);
      }
    }
    return removed;
  }

  /** A length-delimited field whose tag starts at `start`; the reader is after the tag. */
  private child(start: number, end: number, shape: Shape): number {
    const reader = this.reader;
    const edits = this.edits;
    const lengthStart = reader.pos;
    const childEnd = reader.enter(end);
    const contentStart = reader.pos;
    // The edit of the length prefix comes before those of the content, so its place is
    // taken now and filled in once the content has been pruned.
    const mark = this.size;
    edits[this.size++] = lengthStart;
    edits[this.size++] = contentStart;
    edits[this.size++] = 0;
    let removed: number;
    switch (shape.kind) {
      case "file":
        removed = this.message(childEnd, this.toGenerate.has(fileName(reader, childEnd)) ? this.files.generated : this.files.other);
        break;
      case "descriptor":
        // Never dropped, even when empty: it is an element of a list.
        removed = this.message(childEnd, shape);
        break;
      case "options":
        removed = this.options(childEnd, shape);
        if (removed === childEnd - contentStart) {
          // Nothing left (or nothing there, which protoc does not write): unset.
          return this.drop(mark, start, childEnd);
        }
        break;
      case "locations":
        removed = this.locations(childEnd);
        break;
      case "drop":
        reader.pos = childEnd;
        return this.drop(mark, start, childEnd);
    }
    if (removed === 0) {
      // Copied as is: nothing was recorded after the mark.
      this.size = mark;
      return 0;
    }
    const length = childEnd - contentStart - removed;
    edits[mark + 2] = length;
    return removed + (contentStart - lengthStart - varintSize(length));
  }

  /** An options message: every extension but the one its shape keeps goes. */
  private options(end: number, { firstExtension, kept }: OptionsShape): number {
    const reader = this.reader;
    let removed = 0;
    while (reader.pos < end) {
      const start = reader.pos;
      reader.tag(end);
      const field = reader.field;
      reader.skip(reader.wireType, end);
      if (field >= firstExtension && field !== kept) {
        this.dropRange(start, reader.pos);
        removed += reader.pos - start;
      }
    }
    return removed;
  }

  /** The SourceCodeInfo of a file being generated: the locations the plugin does not read go. */
  private locations(end: number): number {
    const reader = this.reader;
    let removed = 0;
    while (reader.pos < end) {
      const start = reader.pos;
      reader.tag(end);
      if (reader.field === SOURCE_CODE_INFO_LOCATION && reader.wireType === LEN) {
        const locationEnd = reader.enter(end);
        if (!isKeptLocation(reader, locationEnd)) {
          this.dropRange(start, locationEnd);
          removed += locationEnd - start;
        }
        reader.pos = locationEnd;
      } else {
        reader.skip(reader.wireType, end);
      }
    }
    return removed;
  }

  /** Drops a whole field, with whatever was recorded inside it since `mark`. */
  private drop(mark: number, start: number, end: number): number {
    this.size = mark;
    this.dropRange(start, end);
    return end - start;
  }

  /** Records a dropped range, merged into the previous one when they touch. */
  private dropRange(start: number, end: number): void {
    const edits = this.edits;
    const last = this.size - 3;
    if (last >= 0 && edits[last + 2] === DROP && edits[last + 1] === start) {
      edits[last + 1] = end;
    } else {
      edits[this.size++] = start;
      edits[this.size++] = end;
      edits[this.size++] = DROP;
    }
  }
}

/** Whether the location from the reader's position to `end` is one the plugin reads. */
function isKeptLocation(reader: WireReader, end: number): boolean {
  // The path is the concatenation of every occurrence of the field, packed or not.
  const path: number[] = [];
  while (reader.pos < end) {
    reader.tag(end);
    if (reader.field === LOCATION_PATH && reader.wireType === VARINT) {
      path.push(reader.varint(end));
    } else if (reader.field === LOCATION_PATH && reader.wireType === LEN) {
      const packedEnd = reader.enter(end);
      while (reader.pos < packedEnd) {
        path.push(reader.varint(packedEnd));
      }
    } else {
      reader.skip(reader.wireType, end);
    }
    if (path.length > 4) {
      return false;
    }
  }
  return isReadLocation(path);
}

/** The input with the first `count` numbers of `edits` applied, `size` bytes. */
function applyEdits(input: Uint8Array, edits: readonly number[], count: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0;
  let copied = 0;
  const copyTo = (end: number): void => {
    // Most ranges between edits are a few bytes (a tag), cheaper copied by hand.
    if (end - copied < 32) {
      for (let i = copied; i < end; i++) {
        out[pos++] = input[i] ?? 0;
      }
    } else {
      out.set(input.subarray(copied, end), pos);
      pos += end - copied;
    }
  };
  for (let i = 0; i < count; i += 3) {
    copyTo(edits[i] ?? 0);
    let length = edits[i + 2] ?? DROP;
    if (length !== DROP) {
      while (length >= 0x80) {
        out[pos++] = (length % 0x80) | 0x80;
        length = Math.floor(length / 0x80);
      }
      out[pos++] = length;
    }
    copied = edits[i + 1] ?? 0;
  }
  copyTo(input.length);
  if (pos !== size) {
    throw new Error(`internal error: pruned request is ${pos} bytes, not ${size}`);
  }
  return out;
}
