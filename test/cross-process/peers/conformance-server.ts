// A server of the conformance suite: `--impl reference` serves the TestService with the
// hand-written grpc-js handlers, `generated` with addTestService on createServer(),
// `generated-plain` with addTestService on a plain grpc-js Server; the generated ones
// with full telemetry in-process. Every server it starts has the suite's size limits.
//
// Commands: `serve {missing?, maxConcurrentStreams?}` starts a server (with no handlers
// at all when `missing`; with grpc.max_concurrent_streams when given) and answers its id
// and port; `shutdown {id, how: "try" | "force"}`; `release {id}` lets its held handlers
// answer; `report` (handler invocations per call id, and the telemetry summary of the
// generated ones).
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServerOptions } from "@grpc/grpc-js";
import { createServer } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { generatedHandlers, referenceImplementation } from "../support/conformance-handlers.js";
import type { HandlerHooks } from "../support/conformance-handlers.js";
import { SERVER_MAX_MESSAGE } from "../support/conformance-scenarios.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";
import { referenceService } from "../support/reference-service.js";
import { bindLocal } from "../../support/listen.js";

const { values } = parseArgs({ options: { impl: { type: "string" } } });
const impl = values.impl;
if (impl !== "reference" && impl !== "generated" && impl !== "generated-plain") throw new Error(`--impl: ${String(impl)}`);

const options: ServerOptions = {
  "grpc.max_receive_message_length": SERVER_MAX_MESSAGE,
  "grpc.max_send_message_length": SERVER_MAX_MESSAGE,
};
const { telemetry, summary } = peerTelemetry("server");

/** Handler invocations per call id, over all servers of this process. */
const invocations: Record<string, number> = {};
const servers: { server: Server; release: () => void }[] = [];

async function serve(args: Record<string, unknown>): Promise<{ id: number; port: number }> {
  const streams = args["maxConcurrentStreams"];
  const serverOptions: ServerOptions = typeof streams === "number" ? { ...options, "grpc.max_concurrent_streams": streams } : options;
  const server = impl === "generated" ? createServer(serverOptions) : new Server(serverOptions);
  let release: () => void = () => undefined;
  const hooks: HandlerHooks = {
    invoked(callId) {
      invocations[callId] = (invocations[callId] ?? 0) + 1;
      return invocations[callId];
    },
    released: new Promise((resolve) => (release = resolve)),
  };
  if (impl === "reference") {
    server.addService(referenceService, args["missing"] === true ? {} : referenceImplementation(hooks));
  } else {
    // A handler object without handlers: what addService does with a missing one.
    const handlers = args["missing"] === true ? ({} as TestServiceHandlers) : generatedHandlers(hooks);
    addTestService(server, handlers, { telemetry });
  }
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  servers.push({ server, release });
  return { id: servers.length - 1, port };
}

function serverOf(args: Record<string, unknown>): { server: Server; release: () => void } {
  const entry = servers[Number(args["id"])];
  if (entry === undefined) throw new Error(`no server ${String(args["id"])}`);
  return entry;
}

function shutdown(args: Record<string, unknown>): Promise<void> {
  const entry = serverOf(args);
  if (args["how"] === "force") {
    entry.server.forceShutdown();
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    entry.server.tryShutdown((err) => (err === undefined ? resolve() : reject(err)));
    // The handler waiting in `try-shutdown` answers once the shutdown has begun.
    entry.release();
  });
}

answerCommands(
  { impl },
  {
    serve,
    shutdown,
    release: (args) => serverOf(args).release(),
    report: async () => ({ invocations, summary: await summary() }),
  },
);
