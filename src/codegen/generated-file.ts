import type { DescFile } from "@bufbuild/protobuf";
import { importPathOf } from "./import-paths.js";
import type { ImportPaths } from "./import-paths.js";

/** A name imported from a module. It prints as the name, or as an alias when the file declares the name too. */
export interface ImportSymbol {
  readonly kind: "import";
  readonly name: string;
  /** A package, or a generated file relative to the output root (`./a/b_pb.js`). */
  readonly from: string;
  /** Whether this use needs the type only; a name is value-imported if any use needs the value. */
  readonly typeOnly: boolean;
}

/** `export <declaration> <name>`. */
interface ExportDeclaration {
  readonly kind: "export";
  readonly declaration: string;
  readonly name: string;
}

/** A JSDoc block, indented. */
interface JsDoc {
  readonly kind: "jsdoc";
  readonly text: string;
  readonly indentation: string;
}

/** A string literal. */
interface StringLiteral {
  readonly kind: "string";
  readonly value: string;
}

/** Anything `print` takes; arrays print their elements in order. */
export type Printable = string | ImportSymbol | ExportDeclaration | JsDoc | StringLiteral | readonly Printable[];

/** A generated file before the response: content without the preamble, which travels beside it. */
export interface FileInfo {
  readonly name: string;
  readonly content: string;
  readonly preamble?: string | undefined;
}

// One imported name of the file, shared by all its uses.
interface ImportedName {
  readonly name: string;
  value: boolean;
  /** The name, or its alias; set when the content is rendered. */
  identifier: string;
}

/**
 * A TypeScript module being printed line by line. Imports are collected from the
 * symbols printed and written at the top: per module (in order of first use) one
 * `import type` for names used only as types, then one `import` for the others,
 * names sorted. An imported name that clashes with an export or an earlier import
 * is aliased `Name$1`, `Name$2`, … This is protoc-gen-es's layout, so the same
 * inputs give the same bytes.
 */
export class GeneratedFile {
  private readonly importPath: string;
  private readonly parts: (string | ImportedName)[] = [];
  // By module, then name; a Map keeps the order of first use, which decides both
  // the order of import statements and which of two clashing names is aliased.
  private readonly imports = new Map<string, Map<string, ImportedName>>();
  private readonly importOrder: ImportedName[] = [];
  // Names the file declares itself: its exports, and "imports" from itself.
  private readonly ownNames = new Set<string>();
  private preambleText: string | undefined;

  constructor(
    readonly name: string,
    private readonly importPaths: ImportPaths,
    private readonly makePreamble: (file: DescFile) => string,
  ) {
    this.importPath = importPathOf(name);
  }

  /** Starts the file with the preamble for the proto file it is generated from. */
  preamble(file: DescFile): void {
    this.preambleText = this.makePreamble(file);
  }

  /** Prints one line. */
  print(...printables: Printable[]): void {
    this.append(printables);
    this.parts.push("\n");
  }

  import(name: string, from: string, typeOnly = false): ImportSymbol {
    return { kind: "import", name, from, typeOnly };
  }

  export(declaration: string, name: string): ExportDeclaration {
    return { kind: "export", declaration, name };
  }

  jsDoc(text: string, indentation = ""): JsDoc {
    return { kind: "jsdoc", text, indentation };
  }

  string(value: string): StringLiteral {
    return { kind: "string", value };
  }

  /** The file as printed; empty content when nothing was printed. */
  toFileInfo(): FileInfo {
    return { name: this.name, content: this.render(), preamble: this.preambleText };
  }

  private append(printables: readonly Printable[]): void {
    for (const p of printables) {
      if (typeof p === "string") {
        this.parts.push(p);
      } else if (isPrintableList(p)) {
        this.append(p);
      } else {
        switch (p.kind) {
          case "import":
            this.use(p);
            break;
          case "export":
            this.ownNames.add(p.name);
            this.parts.push(`export ${p.declaration} ${p.name}`);
            break;
          case "jsdoc":
            this.parts.push(jsDocBlock(p.text, p.indentation));
            break;
          case "string":
            this.parts.push(quote(p.value));
            break;
        }
      }
    }
  }

  private use(symbol: ImportSymbol): void {
    if (symbol.from === this.importPath) {
      this.ownNames.add(symbol.name);
      this.parts.push(symbol.name);
      return;
    }
    let names = this.imports.get(symbol.from);
    if (names === undefined) {
      names = new Map();
      this.imports.set(symbol.from, names);
    }
    let imported = names.get(symbol.name);
    if (imported === undefined) {
      imported = { name: symbol.name, value: false, identifier: symbol.name };
      names.set(symbol.name, imported);
      this.importOrder.push(imported);
    }
    imported.value ||= !symbol.typeOnly;
    this.parts.push(imported);
  }

  private render(): string {
    if (this.parts.length === 0) {
      return "";
    }
    const taken = new Set(this.ownNames);
    for (const imported of this.importOrder) {
      let identifier = imported.name;
      for (let i = 1; taken.has(identifier); i++) {
        identifier = `${imported.name}$${String(i)}`;
      }
      taken.add(identifier);
      imported.identifier = identifier;
    }
    const out: string[] = [];
    for (const [from, names] of this.imports) {
      const path = quote(this.importPaths.resolve(this.importPath, from));
      const all = [...names.values()];
      const types = all.filter((n) => !n.value);
      const values = all.filter((n) => n.value);
      if (types.length > 0) {
        out.push(`import type { ${importList(types)} } from ${path};\n`);
      }
      if (values.length > 0) {
        out.push(`import { ${importList(values)} } from ${path};\n`);
      }
    }
    if (out.length > 0) {
      out.push("\n");
    }
    for (const part of this.parts) {
      out.push(typeof part === "string" ? part : part.identifier);
    }
    return out.join("");
  }
}

// The collation protoc-gen-es sorts imported names with (String#localeCompare's).
const collator = new Intl.Collator();

function importList(names: readonly ImportedName[]): string {
  return [...names]
    .sort((a, b) => collator.compare(a.name, b.name))
    .map((n) => (n.identifier === n.name ? n.name : `${n.name} as ${n.identifier}`))
    .join(", ");
}

function isPrintableList(p: Printable): p is readonly Printable[] {
  return Array.isArray(p);
}

const escapes: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\r": "\\r", "\n": "\\n" };

/** A double-quoted string literal; only what would end or break the literal is escaped. */
function quote(value: string): string {
  return `"${value.replace(/[\\"\r\n]/g, (c) => escapes[c] ?? c)}"`;
}

// `*/` inside the text would end the comment early.
function jsDocBlock(text: string, indentation: string): string {
  if (text.trim() === "") {
    return "";
  }
  const lines = text.split("\n").map((line) => {
    const safe = line.split("*/").join("*\\/");
    return `${indentation} *${safe === "" ? "" : ` ${safe}`}\n`;
  });
  return `${indentation}/**\n${lines.join("")}${indentation} */`;
}
