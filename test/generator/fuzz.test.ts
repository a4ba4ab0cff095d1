import { join } from "node:path";
import { clone, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, CodeGeneratorResponse } from "@bufbuild/protobuf/wkt";
import { protocGenEs } from "@bufbuild/protoc-gen-es/dist/cjs/src/protoc-gen-es-plugin.js";
import { describe, expect, it } from "vitest";
import { plugin } from "../../src/plugin.js";
import { codeGeneratorRequest } from "../support/descriptors.js";
import { mutatedRequest, random } from "../support/request-mutations.js";
import { consumerProject, diagnosticLines } from "../support/typecheck.js";

const FILES = ["user/v1/user.proto", "tsotel/testing/v1/test_service.proto", "edge/multi/v1/multi.proto", "tsotel/v1/options.proto", "shop/v1/orders.proto"];
const base = codeGeneratorRequest(FILES, "target=ts,import_extension=js");
const baseBytes = toBinary(CodeGeneratorRequestSchema, base);

function runPlugin(request: CodeGeneratorRequest): CodeGeneratorResponse {
  // The one property that matters most: run() returns, whatever the input.
  return plugin.run(request);
}

function expectClearError(response: CodeGeneratorResponse): void {
  if (response.error !== "") {
    expect(response.file).toEqual([]);
    expect(response.error).not.toMatch(/\n\s+at /);
    expect(response.error.trim().length).toBeGreaterThan(0);
  }
}

describe("fuzzing the plugin", () => {
  it("answers every structurally mutated request with files or an error, and what it emits compiles", () => {
    const next = random(0x5eed);
    const compiled = new Map<string, string>();
    const compiledKinds = new Set<string>();
    let withFiles = 0;
    let withError = 0;
    for (let round = 0; round < 80; round++) {
      const { name, request } = mutatedRequest(base, next);
      const response = runPlugin(request);
      expectClearError(response);
      if (response.error !== "") {
        withError++;
        continue;
      }
      withFiles++;
      // Compile one output per mutation kind, with protoc-gen-es's output beside it.
      if (!compiledKinds.has(name) && response.file.length > 0) {
        const es = protocGenEs.run(request);
        if (es.error === "") {
          compiledKinds.add(name);
          for (const file of [...es.file, ...response.file]) {
            compiled.set(`m${compiledKinds.size}/${file.name}`, file.content);
          }
        }
      }
    }
    expect(withFiles).toBeGreaterThan(0);
    expect(withError).toBeGreaterThan(0);

    const { project, root } = consumerProject("module");
    for (const [path, content] of compiled) {
      project.createSourceFile(join(root, path), content, { overwrite: true });
    }
    expect(diagnosticLines(project)).toEqual([]);
  }, 180_000);

  it("answers byte-level damage (flipped, truncated, repeated bytes) without throwing", () => {
    const next = random(0xb17e);
    let parsed = 0;
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(baseBytes);
      let damaged: Uint8Array = bytes;
      switch (round % 3) {
        case 0:
          for (let i = 0; i < 8; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
          break;
        case 1:
          damaged = bytes.subarray(0, Math.floor(next() * bytes.length));
          break;
        case 2: {
          const start = Math.floor(next() * bytes.length);
          const chunk = bytes.subarray(start, start + 64);
          damaged = new Uint8Array([...bytes, ...chunk, ...chunk]);
          break;
        }
      }
      let request: CodeGeneratorRequest;
      try {
        request = fromBinary(CodeGeneratorRequestSchema, damaged);
      } catch {
        continue; // the executable answers this with one line; see e2e.test.ts
      }
      parsed++;
      expectClearError(runPlugin(request));
    }
    expect(parsed).toBeGreaterThan(0);
  }, 120_000);

  it("refuses names protoc would never send, naming them", () => {
    const request = clone(CodeGeneratorRequestSchema, base);
    const user = request.protoFile.find((f) => f.name === "user/v1/user.proto");
    const method = user?.service[0]?.method[0];
    if (method === undefined) throw new Error("no GetUser in the test protos");
    method.name = "123abc";
    expect(runPlugin(request).error).toBe(
      'user/v1/user.proto: rpc "user.v1.UserService.123abc": the name is not a protobuf identifier (letters, digits, underscores; not starting with a digit)',
    );
  });
});

