import type { GeneratedFile, ImportSymbol } from "@bufbuild/protoplugin";
import type { MessageRef } from "../src/model/es-names.js";

// Replaces protoplugin's GeneratedFile.import() for repeated use: each call builds a new
// symbol with a new id string (`import("./a/b_pb.js").Name`), and the import pass that
// renders the file hashes every one of them; on the cloud corpus that pass was the most
// expensive function of the run. Here a file gets one symbol per name, module and kind,
// made by protoplugin and reused, which renders the same imports.

type SymbolsByName = Map<string, { value?: ImportSymbol; type?: ImportSymbol }>;

const files = new WeakMap<GeneratedFile, Map<string, SymbolsByName>>();

/** `name` imported from `from` (a package, or a generated file as `./a/b_pb.js`), as a value or type-only. */
export function imported(f: GeneratedFile, name: string, from: string, typeOnly = false): ImportSymbol {
  let byModule = files.get(f);
  if (byModule === undefined) {
    byModule = new Map();
    files.set(f, byModule);
  }
  let byName = byModule.get(from);
  if (byName === undefined) {
    byName = new Map();
    byModule.set(from, byName);
  }
  let symbols = byName.get(name);
  if (symbols === undefined) {
    symbols = {};
    byName.set(name, symbols);
  }
  if (typeOnly) {
    return (symbols.type ??= f.import(name, from, true));
  }
  return (symbols.value ??= f.import(name, from));
}

/** `UserSchema` as a type-only import, for `typeof UserSchema`. */
export function schemaType(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return imported(f, ref.schema, ref.from, true);
}

/** `UserSchema` as a value. */
export function schemaValue(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return imported(f, ref.schema, ref.from);
}

/** `User`, the message's shape type. */
export function shapeType(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return imported(f, ref.shape, ref.from, true);
}
