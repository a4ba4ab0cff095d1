// The server of the call-credentials tests: the generated TestService on one grpc-js
// server listening twice on 127.0.0.1, with TLS (the certificate and key given) and
// without. Its handlers answer UNAUTHENTICATED unless a bearer token came in the
// `authorization` header, and otherwise echo. `report` answers the `authorization`
// values each call's handler saw, by `x-call-id`.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import { RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { bindLocal } from "../../support/listen.js";
import { answerCommands } from "../support/peer.js";

const { values } = parseArgs({ options: { cert: { type: "string" }, key: { type: "string" } } });
if (values.cert === undefined || values.key === undefined) throw new Error("--cert and --key are required");

const seen: Record<string, string[]> = {};

function authorize(context: ServerContext): void {
  const authorization = context.metadata.get("authorization").map(String);
  seen[String(context.metadata.get("x-call-id")[0])] = authorization;
  if (!authorization.some((value) => value.startsWith("Bearer "))) {
    throw new RpcError(status.UNAUTHENTICATED, "a bearer token is required");
  }
}

const server = new Server();
addTestService(
  server,
  {
    unary(request, context) {
      authorize(context);
      return { text: request.text };
    },
    async *serverStream(request, context) {
      authorize(context);
      yield { text: request.text, index: 0 };
      yield { text: request.text, index: 1 };
    },
    async clientStream(requests, context) {
      authorize(context);
      let count = 0;
      for await (const _ of requests) count += 1;
      return { count };
    },
    async *bidiStream(requests, context) {
      authorize(context);
      for await (const request of requests) yield { text: request.text };
    },
  },
  { telemetry: false },
);

const tlsPort = await bindLocal(server, ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(values.cert), private_key: readFileSync(values.key) }]));
const insecurePort = await bindLocal(server, ServerCredentials.createInsecure());
answerCommands({ tlsPort, insecurePort }, { report: () => seen });
