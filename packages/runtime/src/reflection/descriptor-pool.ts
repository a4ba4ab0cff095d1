import { toBinary } from "@bufbuild/protobuf";
import type { DescEnum, DescExtension, DescFile, DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

// What server reflection can tell about a set of files: the files protoc-gen-es embeds in
// generated code (their FileDescriptorProtos, source info stripped) and every file they
// import, indexed once when reflection is served. Nothing here changes afterwards, so
// one pool answers every stream.

/** The files a reflection server knows, indexed by name, symbol and extension. */
export interface DescriptorPool {
  /** Fully-qualified names of the services served, sorted (what `list_services` answers). */
  readonly services: readonly string[];
  /** The file by its proto path, e.g. `user/v1/user.proto`. */
  fileByName(name: string): DescFile | undefined;
  /**
   * The file declaring a fully-qualified symbol: a service, method, message (nested ones
   * too), field, oneof, enum, enum value or extension.
   */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The file declaring extension `number` of message `extendee`. */
  fileContainingExtension(extendee: string, number: number): DescFile | undefined;
  /** The known extension numbers of a message, ascending; undefined if the message is unknown. */
  extensionNumbers(extendee: string): readonly number[] | undefined;
  /**
   * The serialized FileDescriptorProto of `file` followed by those of its transitive
   * imports, breadth first, as grpc-go sends them: the requested file always, each import
   * only if it is not in `sent` yet. Adds what it returns to `sent`.
   */
  withDependencies(file: DescFile, sent: Set<string>): Uint8Array[];
}

/**
 * Indexes `files` and everything they import. Where two files, symbols or extensions
 * share a name, the first one met wins, as with a protobuf registry in which the same
 * generated file was loaded twice (two copies of a package).
 *
 * @param services - The fully-qualified names `list_services` answers.
 */
export function createDescriptorPool(files: Iterable<DescFile>, services: Iterable<string>): DescriptorPool {
  const byName = new Map<string, IndexedFile>();
  const symbols = new Map<string, DescFile>();
  const extensions = new Map<string, Map<number, DescFile>>();
  const messages = new Set<string>();

  const addSymbol = (name: string, file: DescFile): void => {
    if (!symbols.has(name)) symbols.set(name, file);
  };
  const addExtension = (ext: DescExtension, file: DescFile): void => {
    addSymbol(ext.typeName, file);
    let numbers = extensions.get(ext.extendee.typeName);
    if (numbers === undefined) {
      numbers = new Map();
      extensions.set(ext.extendee.typeName, numbers);
    }
    if (!numbers.has(ext.number)) numbers.set(ext.number, file);
  };
  const addEnum = (desc: DescEnum, file: DescFile): void => {
    addSymbol(desc.typeName, file);
    // Enum values are scoped like their enum's siblings (C++ scoping), not inside the enum.
    const scope = parentScope(desc.typeName);
    for (const value of desc.values) addSymbol(scope + value.name, file);
  };
  const addMessage = (desc: DescMessage, file: DescFile): void => {
    addSymbol(desc.typeName, file);
    messages.add(desc.typeName);
    for (const field of desc.fields) addSymbol(`${desc.typeName}.${field.name}`, file);
    for (const oneof of desc.oneofs) addSymbol(`${desc.typeName}.${oneof.name}`, file);
    for (const nested of desc.nestedMessages) addMessage(nested, file);
    for (const nested of desc.nestedEnums) addEnum(nested, file);
    for (const nested of desc.nestedExtensions) addExtension(nested, file);
  };
  const addFile = (file: DescFile): void => {
    const name = file.proto.name;
    if (byName.has(name)) return;
    // Serialized now: a descriptor that cannot be fails when reflection is served, not in a call.
    byName.set(name, { file, bytes: toBinary(FileDescriptorProtoSchema, file.proto) });
    for (const desc of file.messages) addMessage(desc, file);
    for (const desc of file.enums) addEnum(desc, file);
    for (const desc of file.extensions) addExtension(desc, file);
    for (const service of file.services) {
      addSymbol(service.typeName, file);
      for (const method of service.methods) addSymbol(`${service.typeName}.${method.name}`, file);
    }
    for (const dependency of file.dependencies) addFile(dependency);
  };
  for (const file of files) addFile(file);

  return {
    services: [...new Set(services)].sort(),
    fileByName: (name) => byName.get(name)?.file,
    fileContainingSymbol: (symbol) => symbols.get(symbol),
    fileContainingExtension: (extendee, number) => extensions.get(extendee)?.get(number),
    extensionNumbers(extendee) {
      if (!messages.has(extendee)) return undefined;
      return [...(extensions.get(extendee)?.keys() ?? [])].sort((a, b) => a - b);
    },
    withDependencies(file, sent) {
      const out: Uint8Array[] = [];
      const queue: DescFile[] = [file];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const name = next.proto.name;
        const indexed = byName.get(name);
        // A file once sent had its imports sent with it, so they need no second visit.
        if (indexed !== undefined && (out.length === 0 || !sent.has(name))) {
          sent.add(name);
          out.push(indexed.bytes);
          queue.push(...indexed.file.dependencies);
        }
      }
      return out;
    },
  };
}

interface IndexedFile {
  readonly file: DescFile;
  /** The serialized FileDescriptorProto. */
  readonly bytes: Uint8Array;
}

/** `a.b.Color` → `a.b.`; `Color` → `` (the package-less scope). */
function parentScope(typeName: string): string {
  const dot = typeName.lastIndexOf(".");
  return dot < 0 ? "" : typeName.slice(0, dot + 1);
}
