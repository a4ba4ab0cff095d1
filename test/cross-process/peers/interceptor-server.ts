// The server of the interceptor tests: the generated TestService behind the server-side
// auth check of docs/interceptors.md (tokens `valid-*` pass), with full telemetry.
// `report` answers the `authorization` values the handlers saw, by `x-call-id`, and the
// telemetry summary.
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { requireBearer } from "../../support/interceptor-recipes/require-bearer.js";
import { bindLocal } from "../../support/listen.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { telemetry, summary } = peerTelemetry("server");
const seen: Record<string, string[]> = {};
const record = (context: ServerContext): void => {
  seen[String(context.metadata.get("x-call-id")[0])] = context.metadata.get("authorization").map(String);
};

const server = new Server();
addTestService(server, behaviorHandlers({ onCall: record }), {
  telemetry,
  interceptors: [requireBearer((token) => token.startsWith("valid-"))],
});
const port = await bindLocal(server, ServerCredentials.createInsecure());
answerCommands({ port }, { report: async () => ({ seen, telemetry: await summary() }) });
