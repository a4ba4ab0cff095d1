// The client of the interceptor tests: the generated TestServiceClient with the auth
// header recipe of docs/interceptors.md as a client interceptor, asking for the token
// each `call` command names, with full telemetry. `report` answers the telemetry summary.
import { Metadata, credentials } from "@grpc/grpc-js";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { KINDS } from "../../support/call-kinds.js";
import { bearerAuth } from "../../support/interceptor-recipes/bearer-auth.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

/** What one call's caller saw. */
export interface InterceptedOutcome {
  readonly code: Code;
  readonly details: string;
  readonly responses: number;
}

const { telemetry, summary } = peerTelemetry("client");
let token = "";

async function call(args: Record<string, unknown>): Promise<InterceptedOutcome> {
  const kind = KINDS.find((k) => k.method === args["kind"]);
  if (kind === undefined) throw new Error(`no kind ${String(args["kind"])}`);
  token = String(args["token"]);
  const metadata = new Metadata();
  metadata.set("x-call-id", String(args["callId"]));
  const client = new TestServiceClient(`127.0.0.1:${String(args["port"])}`, credentials.createInsecure(), {
    telemetry,
    interceptors: [bearerAuth(() => Promise.resolve(token))],
  });
  let responses = 0;
  try {
    for await (const _ of kind.call(client, [{ text: "a" }, { text: "b" }], { metadata })) responses += 1;
    return { code: Code.OK, details: "OK", responses };
  } catch (err) {
    const error = RpcError.from(err);
    return { code: error.code, details: error.rawMessage, responses };
  } finally {
    client.close();
  }
}

answerCommands({}, { call, report: () => summary() });
