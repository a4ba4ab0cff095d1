import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, ServiceDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { SourceCodeInfo_Location } from "@bufbuild/protobuf/wkt";

// Replaces protoplugin's getComments() and jsDoc(desc) for services and methods: they
// scan every source location of the file on each lookup, which made compute.proto (a
// thousand methods) take minutes. Here each file's locations are indexed once.

// Field numbers in descriptor.proto that make up source paths.
export const FILE_SERVICE = FileDescriptorProtoSchema.field.service.number;
const SERVICE_METHOD = ServiceDescriptorProtoSchema.field.method.number;

/** The proto comments of services and methods, found through an index of each file's source locations. */
export class DocComments {
  private readonly indexes = new Map<DescFile, Map<string, SourceCodeInfo_Location>>();

  /**
   * The JSDoc text for a service or method: its proto comments, where it came from,
   * and `@deprecated` when the proto says so (a method also when its service is).
   */
  docText(desc: DescService | DescMethod, lead?: string): string {
    const paragraphs: string[] = [];
    if (lead !== undefined) {
      paragraphs.push(lead);
    }
    const location = this.location(desc);
    for (const comment of [location?.leadingComments, location?.trailingComments]) {
      const text = comment === undefined ? "" : stripCommentIndent(comment);
      if (text.length > 0) {
        paragraphs.push(text);
      }
    }
    const origin = desc.kind === "service" ? `service ${desc.typeName}` : `rpc ${desc.parent.typeName}.${desc.name}`;
    const tags = [`@generated from ${origin}`];
    if (desc.deprecated || (desc.kind === "rpc" && desc.parent.deprecated)) {
      tags.push("@deprecated");
    }
    paragraphs.push(tags.join("\n"));
    return paragraphs.join("\n\n");
  }

  private location(desc: DescService | DescMethod): SourceCodeInfo_Location | undefined {
    const service = desc.kind === "service" ? desc : desc.parent;
    const path = [FILE_SERVICE, service.file.services.indexOf(service)];
    if (desc.kind === "rpc") {
      path.push(SERVICE_METHOD, service.methods.indexOf(desc));
    }
    return this.index(service.file).get(path.join("."));
  }

  private index(file: DescFile): Map<string, SourceCodeInfo_Location> {
    let index = this.indexes.get(file);
    if (index === undefined) {
      index = new Map();
      for (const location of file.proto.sourceCodeInfo?.location ?? []) {
        const key = location.path.join(".");
        // The first location of a path is the element's own span.
        if (!index.has(key)) {
          index.set(key, location);
        }
      }
      this.indexes.set(file, index);
    }
    return index;
  }
}

// protoc keeps the space after `//`; drop one leading space per line, keep the rest.
function stripCommentIndent(comment: string): string {
  return comment
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line.startsWith(" ") ? line.slice(1) : line))
    .join("\n")
    .trim();
}
