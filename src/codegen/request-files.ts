import { create, createFileRegistry } from "@bufbuild/protobuf";
import type { DescFile } from "@bufbuild/protobuf";
import { Edition, EditionSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, FileDescriptorProto } from "@bufbuild/protobuf/wkt";

/**
 * The editions the plugin declares in its response and accepts: those protobuf-es
 * 2.13 supports, as protoc-gen-es 2.13 declares. Constants rather than protobuf-es's
 * own `minimumEdition`/`maximumEdition`, which older 2.x releases (allowed by the
 * peer dependency) do not export.
 */
export const supportedEditions = { minimum: Edition.EDITION_PROTO2, maximum: Edition.EDITION_2024 } as const;

/**
 * The files to generate, as descriptors resolved against every file of the request,
 * in the registry's order. Throws, with protoc-gen-es's wording, when a file to
 * generate is missing or uses an edition outside the supported ones.
 */
export function filesToGenerate(request: CodeGeneratorRequest): DescFile[] {
  const wanted = new Set(request.fileToGenerate);
  const sent = new Set(request.protoFile.map((f) => f.name));
  const missing = request.fileToGenerate.filter((name) => !sent.has(name));
  if (missing.length > 0) {
    throw new Error(`files_to_generate missing in the request: ${missing.join(", ")}`);
  }
  for (const file of request.protoFile) {
    if (wanted.has(file.name)) {
      checkEdition(file.name, editionOf(file.syntax, file.edition));
    }
  }
  // proto_file lacks options with source retention for the files to generate;
  // source_file_descriptors has them.
  const withSource = new Map<string, FileDescriptorProto>();
  for (const f of request.sourceFileDescriptors) {
    if (!withSource.has(f.name)) {
      withSource.set(f.name, f);
    }
  }
  const registry = createFileRegistry(
    create(FileDescriptorSetSchema, { file: request.protoFile.map((f) => withSource.get(f.name) ?? f) }),
  );
  const files: DescFile[] = [];
  for (const file of registry.files) {
    if (wanted.has(file.proto.name)) {
      files.push(file);
    }
  }
  return files;
}

function editionOf(syntax: string, edition: Edition): Edition {
  switch (syntax) {
    case "":
    case "proto2":
      return Edition.EDITION_PROTO2;
    case "proto3":
      return Edition.EDITION_PROTO3;
    case "editions":
      return edition;
    default:
      return Edition.EDITION_UNKNOWN;
  }
}

function checkEdition(fileName: string, edition: Edition): void {
  // The sandbox edition for features in development is let through.
  if (edition === Edition.EDITION_UNSTABLE) {
    return;
  }
  if (edition < supportedEditions.minimum) {
    throw new Error(
      `${fileName}: unsupported edition ${editionName(edition)} - the earliest supported edition is ${editionName(supportedEditions.minimum)}`,
    );
  }
  if (edition > supportedEditions.maximum) {
    throw new Error(
      `${fileName}: unsupported edition ${editionName(edition)} - the latest supported edition is ${editionName(supportedEditions.maximum)}`,
    );
  }
}

function editionName(edition: Edition): string {
  return editionEnumName(edition) ?? `unknown (${String(edition)})`;
}

/**
 * The Edition enum's name for a number without its `EDITION_` prefix (`2023`, `PROTO2`),
 * or undefined for a number the enum does not have.
 */
export function editionEnumName(edition: number): string | undefined {
  return EditionSchema.values.find((v) => v.number === edition)?.name.replace(/^EDITION_/, "");
}
