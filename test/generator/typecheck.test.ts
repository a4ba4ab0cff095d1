import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ClassDeclaration, InterfaceDeclaration, MethodDeclaration, MethodSignature, Node, Type } from "ts-morph";
import { addGolden, consumerProject, diagnosticLines } from "../support/typecheck.js";
import { repoRoot } from "../support/paths.js";
import { testDescriptorSet } from "../support/descriptors.js";

// Consumers resolve protoc-gen-ts-otel-runtime through the built package, as users do.
beforeAll(() => {
  if (!existsSync(join(repoRoot, "packages/runtime/dist/cjs/index.d.ts")) || !existsSync(join(repoRoot, "packages/runtime/dist/esm/index.d.ts"))) {
    throw new Error("packages/runtime/dist is missing: run `npm run build` first (npm test does)");
  }
});

// Each check is a whole TypeScript program; on two busy cores one takes well over 30 s.
describe("goldens compile under the strictest settings", { timeout: 180_000 }, () => {
  it("ESM: every TypeScript golden and the js+dts declarations", () => {
    const { project, root } = consumerProject("module");
    for (const name of ["user", "test_service", "options", "edge", "all_targets"]) {
      addGolden(project, root, name, [".ts"]);
    }
    addGolden(project, root, "js_dts", [".d.ts"]);
    expect(diagnosticLines(project)).toEqual([]);
  });

  it("ESM: our file of the clash case (protoc-gen-es's own file there has a known upstream fault)", () => {
    const { project, root } = consumerProject("module");
    addGolden(project, root, "clash", [".ts"]);
    const problems = diagnosticLines(project);
    // protoc-gen-es 2.13 gives rpcs GetItem and getItem the same member in its service
    // type; that error, in its file, is the only one allowed.
    const upstream = problems.filter((p) => /clash_pb\.ts:\d+: Duplicate identifier 'getItem'\.$/.test(p));
    expect(upstream).toHaveLength(2);
    expect(problems.filter((p) => !upstream.includes(p))).toEqual([]);
  });

  it("CommonJS: the legacy_commonjs declarations, used from a CommonJS consumer", () => {
    const { project, root } = consumerProject("commonjs");
    addGolden(project, root, "legacy_commonjs", [".d.ts"]);
    // verbatimModuleSyntax in a CommonJS file means import-equals syntax.
    project.createSourceFile(
      join(root, "consumer.ts"),
      [
        'import runtime = require("protoc-gen-ts-otel-runtime");',
        'import user = require("./legacy_commonjs/user/v1/user_otel.js");',
        'import grpc = require("@grpc/grpc-js");',
        "export async function main(): Promise<string> {",
        '  const client = new user.UserServiceClient("127.0.0.1:1", grpc.credentials.createInsecure());',
        "  try {",
        "    const u = await client.getUser({ userId: 1 });",
        "    return u.name;",
        "  } catch (err) {",
        "    return runtime.RpcError.from(err).rawMessage;",
        "  } finally {",
        "    client.close();",
        "  }",
        "}",
      ].join("\n"),
    );
    expect(diagnosticLines(project)).toEqual([]);
  });

  it("fails on a type error, so the checks above can fail", () => {
    const { project, root } = consumerProject("module");
    addGolden(project, root, "user", [".ts"]);
    project.createSourceFile(
      join(root, "misuse.ts"),
      [
        'import { UserServiceClient } from "./user/user/v1/user_otel.js";',
        "export async function f(c: UserServiceClient): Promise<number> {",
        "  const u = await c.getUser({ userId: 1 });",
        "  return u.name;",
        "}",
      ].join("\n"),
    );
    expect(diagnosticLines(project).join("\n")).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});

describe("the generated API surface", { timeout: 180_000 }, () => {
  const { project, root } = consumerProject("module");
  const files = [...addGolden(project, root, "user", [".ts"]), ...addGolden(project, root, "test_service", [".ts"]), ...addGolden(project, root, "edge", [".ts"])];
  const services = testDescriptorSet().file.flatMap((file) =>
    file.service.map((service) => ({ file: file.name, service, typeName: file.package ? `${file.package}.${service.name}` : service.name })),
  );

  // Member lookup by the JSDoc tag every generated member carries, so the check does
  // not reuse the generator's naming rules.
  function byRpc<T extends MethodDeclaration | MethodSignature>(members: T[], rpc: string): T[] {
    return members.filter((m) => m.getJsDocs().some((d) => d.getInnerText().includes(`@generated from rpc ${rpc}\n`) || d.getInnerText().endsWith(`@generated from rpc ${rpc}`)));
  }

  // The message's `$typeName` literal, e.g. "user.v1.User".
  function typeName(type: Type, at: Node): string | undefined {
    const property = type.getProperty("$typeName");
    return property === undefined ? undefined : (property.getTypeAtLocation(at).getLiteralValue() as string | undefined);
  }

  const typeNameOf = (fqn: string): string => fqn.replace(/^\./, "");

  for (const { file, service, typeName: serviceName } of services) {
    const generated = files.find((f) => f.getFilePath().endsWith(file.replace(/\.proto$/, "_otel.ts")));
    if (generated === undefined) {
      continue;
    }
    it(`${serviceName}: one client method and one handler per RPC, with the right types`, () => {
      const client: ClassDeclaration | undefined = generated
        .getClasses()
        .find((c) => c.getJsDocs().some((d) => d.getInnerText().includes(`A client of ${serviceName}.`)));
      const handlers: InterfaceDeclaration | undefined = generated
        .getInterfaces()
        .find((i) => i.getJsDocs().some((d) => d.getInnerText().includes(`The handlers of ${serviceName};`)));
      expect(client, "client class").toBeDefined();
      expect(handlers, "handler interface").toBeDefined();
      if (client === undefined || handlers === undefined) return;
      expect(client.getMethods().length).toBe(service.method.length + 1);
      expect(handlers.getMethods().length).toBe(service.method.length);
      for (const rpc of service.method) {
        const [clientMethod, ...extraClient] = byRpc(client.getMethods(), `${serviceName}.${rpc.name}`);
        const [handler, ...extraHandler] = byRpc(handlers.getMethods(), `${serviceName}.${rpc.name}`);
        expect(extraClient).toEqual([]);
        expect(extraHandler).toEqual([]);
        if (clientMethod === undefined || handler === undefined) {
          throw new Error(`no client method or handler for ${rpc.name}`);
        }
        const input = typeNameOf(rpc.inputType);
        const output = typeNameOf(rpc.outputType);
        // Client: Promise<Output> or AsyncIterable<Output>.
        const returned = clientMethod.getReturnType();
        expect(returned.getSymbol()?.getName()).toBe(rpc.serverStreaming ? "AsyncIterable" : "Promise");
        const [element] = returned.getTypeArguments();
        expect(element && typeName(element, clientMethod)).toBe(output);
        // Handler: the request (or AsyncIterable of requests) is the input message.
        const [request] = handler.getParameters();
        let requestType = request?.getType();
        if (rpc.clientStreaming) {
          expect(requestType?.getSymbol()?.getName()).toBe("AsyncIterable");
          requestType = requestType?.getTypeArguments()[0];
        }
        expect(requestType && typeName(requestType, handler)).toBe(input);
        // Client request parameter: an init shape of the input (or a stream of them).
        const clientParam = clientMethod.getParameters()[0]?.getTypeNode()?.getText() ?? "";
        expect(clientParam).toMatch(rpc.clientStreaming ? /^RequestStream<typeof \w+Schema(\$\d+)?>$/ : /^MessageInitShape<typeof \w+Schema(\$\d+)?>$/);
      }
    });
  }
});
