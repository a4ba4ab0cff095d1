// How the demo prints a call: the method and its kind, what was sent (→), what came
// back (←), and the final status.
import type { DescMessage } from "@bufbuild/protobuf";
import { RpcError, codeName } from "protoc-gen-ts-otel-runtime";
import type { MethodDefinition } from "protoc-gen-ts-otel-runtime";

/** Prints the call's header, then each request message it sends. */
export function logCall(method: MethodDefinition, ...requests: object[]): void {
  console.log(`\n${method.name} (${method.kind})`);
  for (const request of requests) {
    console.log(`  → ${describe(method.input, request)}`);
  }
}

export function logResponse(method: MethodDefinition, response: object): void {
  console.log(`  ← ${describe(method.output, response)}`);
}

/** Prints OK, or the code and message of the error the call failed with. */
export function logStatus(error?: unknown): void {
  if (error === undefined) {
    console.log("  ✓ OK");
    return;
  }
  const { code, rawMessage } = RpcError.from(error);
  console.log(`  ✗ ${codeName(code)}: ${rawMessage}`);
}

function describe(schema: DescMessage, message: object): string {
  const fields = JSON.stringify(message, (key, value: unknown) => (key === "$typeName" ? undefined : value));
  return `${schema.name} ${fields}`;
}
