// The downstream server of the propagation tests: the generated TestService, with full
// telemetry, whose handlers hold each call open until released or cancelled
// (support/propagation-handlers.ts). `--plain` serves on grpc-js's own Server instead
// of createServer().
//
// Commands, by `callId`: `called` (waits for the call's handler; answers the deadline
// it saw, null for none), `release` (lets it answer OK), `ended` (waits for its signal;
// answers the code it fired with); `report` (the telemetry summary).
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { codeName, createServer, RpcError } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { bindLocal } from "../../support/listen.js";
import { aborted, deferred } from "../../support/harness.js";
import type { Deferred } from "../../support/harness.js";
import { downstreamHandlers } from "../../support/propagation-handlers.js";
import { ByCallId, callIdOf } from "../support/by-call-id.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { values } = parseArgs({ options: { plain: { type: "boolean", default: false } } });
const server = values.plain ? new Server() : createServer();
const { telemetry, summary } = peerTelemetry("server");

interface HeldCall {
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly release: Deferred<void>;
}

const calls = new ByCallId<HeldCall>();

addTestService(
  server,
  downstreamHandlers((context) => {
    const release = deferred();
    calls.set(callIdOf(context.metadata), { deadline: Number(context.deadline), signal: context.signal, release });
    return release.promise;
  }),
  { telemetry },
);

const port = await bindLocal(server, ServerCredentials.createInsecure());

const callId = (args: Record<string, unknown>): string => String(args["callId"]);
answerCommands(
  { port },
  {
    called: async (args) => {
      const { deadline } = await calls.get(callId(args));
      return { deadline: Number.isFinite(deadline) ? deadline : null };
    },
    release: async (args) => {
      (await calls.get(callId(args))).release.resolve();
    },
    ended: async (args) => {
      const reason = await aborted((await calls.get(callId(args))).signal);
      return reason instanceof RpcError ? codeName(reason.code) : "not an RpcError";
    },
    report: summary,
  },
);
