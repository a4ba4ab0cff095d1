import { create } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, Edition, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { memberScope, topLevelScope } from "../../src/model/names.js";
import { plugin } from "../../src/plugin.js";
import { codeGeneratorRequest } from "../support/descriptors.js";

describe("plugin errors come back in the response, never as a throw", () => {
  it("names an unknown parameter and lists the accepted ones", () => {
    const response = plugin.run(codeGeneratorRequest(["user/v1/user.proto"], "target=ts,colour=blue"));
    expect(response.file).toEqual([]);
    expect(response.error).toBe(
      'invalid option "colour=blue": unknown parameter; accepted: target, import_extension, js_import_style, keep_empty_files, ts_nocheck, elide_plugin_version, rewrite_imports, runtime_import, slo, slo_buckets',
    );
  });

  it("rejects a bad value of a standard parameter, saying what it takes", () => {
    const response = plugin.run(codeGeneratorRequest(["user/v1/user.proto"], "target=java"));
    expect(response.error).toBe('invalid option "target=java": target takes js, ts or dts, or several joined with + (e.g. js+dts)');
  });

  it("rejects an empty runtime_import", () => {
    const response = plugin.run(codeGeneratorRequest(["user/v1/user.proto"], "target=ts,runtime_import="));
    expect(response.error).toMatch(/parameter "runtime_import" needs a module specifier/);
  });

  it("reports a method whose input type does not exist", () => {
    const file = create(FileDescriptorProtoSchema, {
      name: "broken.proto",
      package: "broken",
      syntax: "proto3",
      service: [{ name: "Broken", method: [{ name: "Call", inputType: ".broken.Missing", outputType: ".broken.Missing" }] }],
    });
    const response = plugin.run(create(CodeGeneratorRequestSchema, { fileToGenerate: ["broken.proto"], protoFile: [file] }));
    expect(response.file).toEqual([]);
    expect(response.error).toBe(
      "broken.proto: rpc Broken.Call: input type broken.Missing: no file in the request declares it; is a dependency missing from the request?\n" +
        "broken.proto: rpc Broken.Call: output type broken.Missing: no file in the request declares it; is a dependency missing from the request?",
    );
  });
});

describe("output", () => {
  it("is one _otel.ts per proto file with services, nothing for the others", () => {
    const response = plugin.run(
      codeGeneratorRequest(["user/v1/user.proto", "edge/messages_only/v1/messages.proto"], "target=ts"),
    );
    expect(response.error).toBe("");
    expect(response.file.map((f) => f.name)).toEqual(["user/v1/user_otel.ts"]);
  });

  it("defaults to js+dts, like protoc-gen-es", () => {
    const response = plugin.run(codeGeneratorRequest(["user/v1/user.proto"], ""));
    expect(response.file.map((f) => f.name).sort()).toEqual(["user/v1/user_otel.d.ts", "user/v1/user_otel.js"]);
  });

  it("does not carry one request's targets into the next", () => {
    plugin.run(codeGeneratorRequest(["user/v1/user.proto"], "target=js"));
    const response = plugin.run(codeGeneratorRequest(["user/v1/user.proto"], "target=ts"));
    expect(response.file.map((f) => f.name)).toEqual(["user/v1/user_otel.ts"]);
  });
});

describe("names", () => {
  it("escapes members that would break an object, a class or await", () => {
    const scope = memberScope();
    expect(["constructor", "then", "close", "toString", "__proto__", "hasOwnProperty", "delete", "getUser"].map((n) => scope.claim(n))).toEqual([
      "constructor$",
      "then$",
      "close$",
      "toString$",
      "__proto__$",
      "hasOwnProperty$",
      "delete",
      "getUser",
    ]);
  });

  it("never hands out one name twice in a scope", () => {
    const scope = memberScope();
    expect([scope.claim("getUser"), scope.claim("getUser"), scope.claim("getUser$")]).toEqual(["getUser", "getUser$", "getUser$$"]);
  });

  it("escapes reserved words at the top level", () => {
    const scope = topLevelScope();
    expect([scope.claim("Object"), scope.claim("default"), scope.claim("UserService")]).toEqual(["Object$", "default$", "UserService"]);
  });
});

describe("proto options the generator refuses", () => {
  it("reports every refusal at once, each naming the file, the method and the fix", () => {
    const response = plugin.run(codeGeneratorRequest(["refused/v1/refused.proto"], "target=ts"));
    expect(response.file).toEqual([]);
    const lines = response.error.split("\n");
    // One line per refused method, in proto order.
    expect(lines).toHaveLength(11);
    for (const line of lines) {
      expect(line).toMatch(/^refused\/v1\/refused\.proto: rpc refused\.v1\.RefusedService\.\w+: /);
    }
    expect(response.error).toMatchSnapshot();
  });

  it("accepts a file that uses every option", () => {
    const response = plugin.run(codeGeneratorRequest(["shop/v1/orders.proto", "shop/v1/legacy_orders.proto"], "target=ts"));
    expect(response.error).toBe("");
    expect(response.file.map((f) => f.name).sort()).toEqual(["shop/v1/legacy_orders_otel.ts", "shop/v1/orders_otel.ts"]);
  });
});

describe("editions", () => {
  it("declares proto2 through edition 2024 as supported, and generates 2023 and 2024 files", () => {
    const response = plugin.run(
      codeGeneratorRequest(["edge/editions/v1/editions.proto", "edge/editions/v1/editions2024.proto"], "target=ts"),
    );
    expect(response.error).toBe("");
    expect(response.minimumEdition).toBe(Edition.EDITION_PROTO2);
    expect(response.maximumEdition).toBe(Edition.EDITION_2024);
    expect(response.file.map((f) => f.name).sort()).toEqual(["edge/editions/v1/editions2024_otel.ts", "edge/editions/v1/editions_otel.ts"]);
  });
});
