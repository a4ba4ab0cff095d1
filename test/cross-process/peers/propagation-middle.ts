// The middle server of the propagation tests: the generated TestService, whose handlers
// call the downstream server (`--downstream <port>`) with a generated client, as a
// service calls another (support/propagation-handlers.ts); full telemetry on both its
// sides. A request whose text is `opt-out-call` makes its call with `propagate: false`,
// one whose text is `opt-out-client` on a client made with `propagate: false`.
// `--plain` serves on grpc-js's own Server instead of createServer().
//
// Commands: `outcome` (waits for the downstream call of `callId`; answers how it
// ended), `report` (the telemetry summaries of its server and client sides).
import { parseArgs } from "node:util";
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { createServer } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient, addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { bindLocal } from "../../support/listen.js";
import { callOutcome, middleHandlers } from "../../support/propagation-handlers.js";
import { ByCallId, callIdOf, withCallId } from "../support/by-call-id.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { values } = parseArgs({ options: { plain: { type: "boolean", default: false }, downstream: { type: "string" } } });
if (values.downstream === undefined) throw new Error("--downstream <port> is required");
const target = `127.0.0.1:${values.downstream}`;
const server = values.plain ? new Server() : createServer();
const serverSide = peerTelemetry("server");
const clientSide = peerTelemetry("client");
const client = new TestServiceClient(target, credentials.createInsecure(), { telemetry: clientSide.telemetry });
const optedOut = new TestServiceClient(target, credentials.createInsecure(), { telemetry: clientSide.telemetry, propagate: false });

const outcomes = new ByCallId<string>();

addTestService(
  server,
  middleHandlers(async (kind, text, context) => {
    const callId = callIdOf(context.metadata);
    const metadata = withCallId(callId);
    const outcome = await callOutcome(
      kind,
      text === "opt-out-client" ? optedOut : client,
      text,
      text === "opt-out-call" ? { metadata, propagate: false } : { metadata },
    );
    outcomes.set(callId, outcome);
    return outcome;
  }),
  { telemetry: serverSide.telemetry },
);

const port = await bindLocal(server, ServerCredentials.createInsecure());

answerCommands(
  { port },
  {
    outcome: (args) => outcomes.get(String(args["callId"])),
    report: async () => ({ server: await serverSide.summary(), client: await clientSide.summary() }),
  },
);
