import type { GeneratedFile, ImportSymbol } from "@bufbuild/protoplugin";
import type { MessageRef } from "../src/model/es-names.js";

/** `UserSchema` as a type-only import, for `typeof UserSchema`. */
export function schemaType(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return f.import(ref.schema, ref.from, true);
}

/** `UserSchema` as a value. */
export function schemaValue(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return f.import(ref.schema, ref.from);
}

/** `User`, the message's shape type. */
export function shapeType(f: GeneratedFile, ref: MessageRef): ImportSymbol {
  return f.import(ref.shape, ref.from, true);
}
