// Words that cannot name a class, function or type in the ECMAScript or TypeScript
// we generate, though an object property may use them. The set is protoc-gen-es's:
// our imports of its exports must spell them the way it does.
const reservedWords = new Set(
  [
    // ECMAScript 2015 keywords
    "break case catch class const continue debugger default delete do else export extends false finally for function",
    "if import in instanceof new null return super switch this throw true try typeof var void while with yield",
    // reserved for the future in ECMAScript 2015
    "enum implements interface let package private protected public static",
    // no class `Object` in CommonJS compiled for ES5
    "Object",
    // TypeScript type names
    "bigint number boolean string object",
    // globals generated code relies on
    "globalThis Uint8Array Partial",
  ]
    .join(" ")
    .split(" "),
);

/**
 * A proto name made safe as an identifier: a reserved word gets `$` appended, which
 * a proto identifier cannot contain. The name must already be an identifier.
 */
export function safeIdentifier(name: string): string {
  return reservedWords.has(name) ? `${name}$` : name;
}
