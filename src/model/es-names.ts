import type { DescEnum, DescExtension, DescFile, DescMessage, DescService } from "@bufbuild/protobuf";
import { wktPublicImportPaths } from "@bufbuild/protobuf/codegenv2";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { safeIdentifier } from "@bufbuild/protoplugin";

/** Where generated code imports a message's schema and shape from. */
export interface MessageRef {
  /** e.g. `user.v1.User` */
  readonly typeName: string;
  /** The schema constant protoc-gen-es exports, e.g. `UserSchema`. */
  readonly schema: string;
  /** The shape type protoc-gen-es exports, e.g. `User`. */
  readonly shape: string;
  /** The module, relative to the output root, e.g. `./user/v1/user_pb.js` or `@bufbuild/protobuf/wkt`. */
  readonly from: string;
}

interface FileNames {
  readonly shape: ReadonlyMap<DescMessage | DescEnum, string>;
  readonly schema: ReadonlyMap<DescMessage | DescEnum, string>;
}

// Replaces protoplugin's GeneratedFile.importSchema() and importShape(): each lookup
// there recomputes every name of the message's file, which is quadratic in the file's
// size (minutes for compute.proto, a thousand methods). The rules below are the same
// (protoplugin's names.ts), computed once per file; the golden and corpus tests compare
// the result with protoc-gen-es's own output.

/**
 * The names protoc-gen-es gives the messages and enums of a file: shape names first,
 * then schema names, then the other elements, each taking `$`, `$1`, … when its ideal
 * name is taken.
 */
export class EsNames {
  private readonly files = new Map<DescFile, FileNames>();

  constructor(
    private readonly filesToGenerate: readonly DescFile[],
    private readonly bootstrapWkt: boolean,
  ) {}

  ref(desc: DescMessage): MessageRef {
    const names = this.namesOf(desc.file);
    return {
      typeName: desc.typeName,
      schema: required(names.schema.get(desc), desc),
      shape: required(names.shape.get(desc), desc),
      from: this.importPath(desc.file),
    };
  }

  private importPath(file: DescFile): string {
    // Well-known types come from the runtime package unless generated here.
    const wkt = wktPublicImportPaths[file.proto.name];
    if (wkt !== undefined && !this.bootstrapWkt && !this.filesToGenerate.includes(file)) {
      return wkt;
    }
    return `./${file.name}_pb.js`;
  }

  private namesOf(file: DescFile): FileNames {
    let names = this.files.get(file);
    if (names === undefined) {
      names = computeNames(file);
      this.files.set(file, names);
    }
    return names;
  }
}

function computeNames(file: DescFile): FileNames {
  const taken = new Set<string>();
  const claim = (ideal: (salt: string) => string): string => {
    for (let i = 0; ; i++) {
      const name = ideal(i === 0 ? "" : i === 1 ? "$" : `$${i - 1}`);
      if (!taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  };
  const types = [...nestedTypes(file)];
  const shape = new Map<DescMessage | DescEnum, string>();
  for (const desc of types) {
    if (desc.kind === "message" || desc.kind === "enum") {
      shape.set(desc, claim((salt) => safeIdentifier(identifier(desc) + salt)));
    }
  }
  const schema = new Map<DescMessage | DescEnum, string>();
  claim((salt) => safeIdentifier(`file_${file.name.replace(/[^a-zA-Z0-9_]+/g, "_")}${salt}`));
  for (const desc of types) {
    if (desc.kind === "message" || desc.kind === "enum") {
      schema.set(desc, claim((salt) => safeIdentifier(`${identifier(desc)}Schema${salt}`)));
    } else {
      claim((salt) => safeIdentifier(identifier(desc) + salt));
    }
  }
  return { shape, schema };
}

// `foo.bar.Parent.Child` in package `foo.bar` → `Parent_Child`.
function identifier(desc: DescMessage | DescEnum | DescExtension | DescService): string {
  const pkg = desc.file.proto.package;
  return desc.typeName.substring(pkg.length > 0 ? pkg.length + 1 : 0).replace(/\./g, "_");
}

function required(name: string | undefined, desc: DescMessage): string {
  if (name === undefined) {
    throw new Error(`no generated name for ${desc.typeName}`);
  }
  return name;
}
