import { maximumEdition, minimumEdition } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { GeneratedFile } from "../src/codegen/generated-file.js";
import { safeIdentifier } from "../src/codegen/identifiers.js";
import { ImportPaths, importPathOf } from "../src/codegen/import-paths.js";
import { parseParameters } from "../src/codegen/parameters.js";
import type { ImportExtension, ImportRewrite, RawParameter } from "../src/codegen/parameters.js";
import { supportedEditions } from "../src/codegen/request-files.js";

// The golden tests compare whole files with protoc-gen-es's conventions; these pin
// the pieces whose corner cases the goldens do not reach.

const keepOwn = (raw: readonly RawParameter[]): readonly RawParameter[] => raw;

describe("parameters", () => {
  it("defaults to js+dts, no import extension, ES modules", () => {
    const { standard, own, quoted } = parseParameters("", keepOwn);
    expect(standard).toEqual({
      targets: ["js", "dts"],
      tsNocheck: false,
      elidePluginVersion: false,
      bootstrapWkt: false,
      keepEmptyFiles: false,
      rewriteImports: [],
      importExtension: "none",
      jsImportStyle: "module",
    });
    expect(own).toEqual([]);
    expect(quoted).toBe("");
  });

  it("reads every standard key, leaves rewrite_imports out of the quoted parameter and passes the rest on", () => {
    const { standard, own, quoted } = parseParameters(
      "target=ts+js+ts,import_extension=.js,ts_nocheck=1,keep_empty_files=true,rewrite_imports=./a/**/*.js:@x/a,custom=v=w,flag",
      keepOwn,
    );
    expect(standard.targets).toEqual(["ts", "js"]);
    expect(standard.importExtension).toBe("js");
    expect(standard.tsNocheck).toBe(true);
    expect(standard.keepEmptyFiles).toBe(true);
    expect(standard.rewriteImports).toEqual([{ pattern: "./a/**/*.js", target: "@x/a" }]);
    expect(own).toEqual([
      { key: "custom", value: "v=w" },
      { key: "flag", value: "" },
    ]);
    expect(quoted).toBe("target=ts+js+ts,import_extension=.js,ts_nocheck=1,keep_empty_files=true,custom=v=w,flag");
  });

  it.each([
    ["target=java", 'invalid option "target=java"'],
    ["target=ts+", 'invalid option "target=ts+"'],
    ["import_extension=.", 'invalid option "import_extension=."'],
    ["keep_empty_files=yes", 'invalid option "keep_empty_files=yes"'],
    ["rewrite_imports=x", 'invalid option "rewrite_imports=x": must be in the form of <pattern>:<target>'],
  ])("rejects %s", (parameter, message) => {
    expect(() => parseParameters(parameter, keepOwn)).toThrow(message);
  });

  it("reports a standard key before the plugin's own, and names all own keys in the plugin's error", () => {
    const reject = (): never => {
      throw new Error("no");
    };
    expect(() => parseParameters("a=1,target=java", reject)).toThrow('invalid option "target=java"');
    expect(() => parseParameters("a=1,target=ts,b", reject)).toThrow('invalid option "a=1,b": no');
  });
});

describe("import paths", () => {
  const resolve = (from: string, extension: ImportExtension = "none", rewrites: ImportRewrite[] = []): string =>
    new ImportPaths(rewrites, extension).resolve(importPathOf("a/b/c_otel.ts"), from);

  it("makes paths relative to the importing file and applies the extension", () => {
    expect(resolve("./a/b/c_pb.js")).toBe("./c_pb");
    expect(resolve("./a/x/y_pb.js", "js")).toBe("../x/y_pb.js");
    expect(resolve("./z_pb.js", "ts")).toBe("../../z_pb.ts");
    expect(resolve("@bufbuild/protobuf")).toBe("@bufbuild/protobuf");
  });

  it("rewrites with the first matching glob; a relative path keeps its path under the target", () => {
    const rewrites = [
      { pattern: "./a/**/*_pb.js", target: "@acme/protos/" },
      { pattern: "./a/**/*.js", target: "never" },
      { pattern: "@bufbuild/protobuf", target: "./vendor/pb.js" },
    ];
    expect(resolve("./a/b/c_pb.js", "js", rewrites)).toBe("@acme/protos/a/b/c_pb.js");
    expect(resolve("./a/c_pb.js", "none", rewrites)).toBe("@acme/protos/a/c_pb");
    expect(resolve("@bufbuild/protobuf", "none", rewrites)).toBe("../../vendor/pb");
    expect(resolve("./a/b/(x)_pb.js", "js", [{ pattern: "./a/*/(x)_pb.js", target: "@p" }])).toBe("@p/a/b/(x)_pb.js");
    expect(resolve("./a/b/x_pb.js", "js", [{ pattern: "./a/*_pb.js", target: "@p" }])).toBe("./x_pb.js");
  });
});

describe("generated file", () => {
  const paths = new ImportPaths([], "js");
  const file = (): GeneratedFile => new GeneratedFile("a/b_otel.ts", paths, () => "// preamble");

  it("is empty until something is printed", () => {
    const f = file();
    f.preamble({} as never);
    expect(f.toFileInfo()).toEqual({ name: "a/b_otel.ts", content: "", preamble: "// preamble" });
  });

  it("imports types and values separately, sorted, per module in order of first use", () => {
    const f = file();
    f.print(f.import("Zeta", "./a/x_pb.js", true), f.import("alpha", "./a/x_pb.js", true), f.import("Beta", "@scope/pkg"));
    f.print(f.import("alpha", "./a/x_pb.js"), f.import("Zeta", "./a/x_pb.js", true));
    expect(f.toFileInfo().content).toBe(
      'import type { Zeta } from "./x_pb.js";\n' +
        'import { alpha } from "./x_pb.js";\n' +
        'import { Beta } from "@scope/pkg";\n' +
        "\n" +
        "ZetaalphaBeta\n" +
        "alphaZeta\n",
    );
  });

  it("aliases an imported name that clashes with an export or an earlier import", () => {
    const f = file();
    f.print(f.import("User", "./u1_pb.js", true), " ", f.import("User", "./u2_pb.js"), " ", f.import("User$1", "./u3_pb.js", true));
    f.print(f.export("const", "User"), " = 1;");
    expect(f.toFileInfo().content).toBe(
      'import type { User as User$1 } from "../u1_pb.js";\n' +
        'import { User as User$2 } from "../u2_pb.js";\n' +
        'import type { User$1 as User$1$1 } from "../u3_pb.js";\n' +
        "\n" +
        "User$1 User$2 User$1$1\n" +
        "export const User = 1;\n",
    );
  });

  it("quotes strings and keeps JSDoc from ending early", () => {
    const f = file();
    f.print(f.string('a"b\\c\nd\re'));
    f.print(f.jsDoc("one */ two\n\nthree", "  "));
    f.print(f.jsDoc("  \n"), "x");
    expect(f.toFileInfo().content).toBe('"a\\"b\\\\c\\nd\\re"\n  /**\n   * one *\\/ two\n   *\n   * three\n   */\nx\n');
  });
});

describe("identifiers and editions", () => {
  it("escapes reserved words with $", () => {
    expect(["class", "Object", "Uint8Array", "User", "constructor"].map(safeIdentifier)).toEqual([
      "class$",
      "Object$",
      "Uint8Array$",
      "User",
      "constructor",
    ]);
  });

  it("declares the editions the installed protobuf-es supports", () => {
    expect(supportedEditions).toEqual({ minimum: minimumEdition, maximum: maximumEdition });
  });
});
