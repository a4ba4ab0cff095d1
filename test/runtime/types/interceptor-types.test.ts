// The interceptor types as a user's code meets them, against the built runtime package
// and the TestService golden under the strictest settings: one interceptor for all kinds
// compiles, narrowing on `kind` reaches what that kind has, and what a kind lacks (or a
// request never lets change) is a type error.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { addGolden, consumerProject, diagnosticLines } from "../../support/typecheck.js";
import { repoRoot } from "../../support/paths.js";

beforeAll(() => {
  if (!existsSync(join(repoRoot, "packages/runtime/dist/esm/index.d.ts"))) {
    throw new Error("packages/runtime/dist is missing: run `npm run build` first (npm test does)");
  }
});

const IMPORTS = [
  'import { Metadata } from "@grpc/grpc-js";',
  'import { Server } from "@grpc/grpc-js";',
  'import { isMessage } from "@bufbuild/protobuf";',
  'import { Code, RpcError } from "protoc-gen-ts-otel-runtime";',
  'import type { ClientInterceptor, ServerInterceptor } from "protoc-gen-ts-otel-runtime";',
  'import { TestServiceClient, addTestService } from "./test_service/tsotel/testing/v1/test_service_otel.js";',
  'import type { TestServiceHandlers } from "./test_service/tsotel/testing/v1/test_service_otel.js";',
  'import { UnaryRequestSchema } from "./test_service/tsotel/testing/v1/test_service_pb.js";',
].join("\n");

/** Compiles for every kind, and narrows. */
const FINE = `${IMPORTS}
export const everyKind: ClientInterceptor = (next) => async (request) => {
  request.metadata.set("x-kind", request.kind);
  request.options.deadline ??= Date.now() + 1_000;
  switch (request.kind) {
    case "unary":
    case "server_streaming": {
      const name: string = request.request.$typeName;
      if (isMessage(request.request, UnaryRequestSchema)) {
        const text: string = request.request.text;
        void text;
      }
      void name;
      return next({ ...request, request: request.request });
    }
    case "client_streaming":
    case "bidi_streaming":
      return next({ ...request, requests: request.requests });
  }
};
export const onResponses: ClientInterceptor = (next) => async (request) => {
  const response = await next(request);
  if (response.kind === "unary" || response.kind === "client_streaming") {
    const name: string = response.response.$typeName;
    void name;
    return response;
  }
  const stream: AsyncIterable<unknown> = response.responses;
  void stream;
  return response;
};
export const guard: ServerInterceptor = (next) => async (request) => {
  if (request.metadata.get("authorization").length === 0) throw new RpcError(Code.UNAUTHENTICATED, "no");
  request.context.trailer.set("x-seen", "1");
  const response = await next(request);
  return "responses" in response ? { ...response, responses: response.responses } : response;
};
export async function use(server: Server, handlers: TestServiceHandlers): Promise<string> {
  addTestService(server, handlers, { interceptors: [guard] });
  const client = new TestServiceClient("127.0.0.1:1", (await import("@grpc/grpc-js")).credentials.createInsecure(), { interceptors: [everyKind] });
  const reply = await client.unary({ text: "a" }, { interceptors: [onResponses], metadata: new Metadata() });
  return reply.text;
}
`;

/** Snippets that must not compile, each with the error it must give. */
const MISUSES: readonly { name: string; body: string; error: RegExp }[] = [
  {
    name: "a request message without narrowing",
    body: "export const i: ClientInterceptor = (next) => (request) => { void request.request; return next(request); };",
    error: /Property 'request' does not exist on type/,
  },
  {
    name: "a request message on a kind that streams requests",
    body: 'export const i: ClientInterceptor = (next) => (request) => { if (request.kind === "client_streaming") void request.request; return next(request); };',
    error: /Property 'request' does not exist on type/,
  },
  {
    name: "a response stream on a single-response kind",
    body: 'export const i: ClientInterceptor = (next) => async (request) => { const r = await next(request); if (r.kind === "unary") void r.responses; return r; };',
    error: /Property 'responses' does not exist on type/,
  },
  {
    name: "replacing the metadata object",
    body: "export const i: ClientInterceptor = (next) => (request) => { request.metadata = new Metadata(); return next(request); };",
    error: /Cannot assign to 'metadata' because it is a read-only property/,
  },
  {
    name: "call options on the server",
    body: "export const i: ServerInterceptor = (next) => (request) => { void request.options; return next(request); };",
    error: /Property 'options' does not exist on type/,
  },
  {
    name: "a client interceptor on a server registration",
    body: "export function f(server: Server, handlers: TestServiceHandlers, i: ClientInterceptor): void { addTestService(server, handlers, { interceptors: [i] }); }",
    error: /Type 'ClientInterceptor' is not assignable to type 'ServerInterceptor'/,
  },
  {
    name: "returning something that is not a response",
    body: "export const i: ClientInterceptor = () => async () => ({ kind: \"unary\" });",
    error: /is not assignable to type/,
  },
];

describe("interceptor types", { timeout: 180_000 }, () => {
  it("compile for every kind, narrow on kind, and reject what a kind lacks", () => {
    const { project, root } = consumerProject("module");
    addGolden(project, root, "test_service", [".ts"]);
    project.createSourceFile(join(root, "fine.ts"), FINE);
    MISUSES.forEach((misuse, index) => project.createSourceFile(join(root, `misuse-${index}.ts`), `${IMPORTS}\n${misuse.body}\n`));
    const problems = diagnosticLines(project);
    const inFile = (file: string): string[] => problems.filter((p) => p.includes(`/${file}:`));
    for (const [index, misuse] of MISUSES.entries()) {
      expect(inFile(`misuse-${index}.ts`).join("\n"), misuse.name).toMatch(misuse.error);
    }
    // No error in fine.ts, nor in the golden.
    expect(problems.filter((p) => !/\/misuse-\d+\.ts:/.test(p))).toEqual([]);
  });
});
