// The server of the cross-process tests: the canonical TestService with handlers that
// do what each call's `x-scenario` asks (support/scenarios.ts), full telemetry, and a
// record of what every handler saw. `--plain` serves on grpc-js's own Server instead
// of createServer(); `--max-receive N` / `--max-send N` set grpc-js's size limits.
//
// `--counting` keeps counts instead of records of every handler and span, for the
// benchmark's long soak.
//
// Commands: `report` (handlers seen, still open, and the telemetry summary), `heap`,
// `force-shutdown`, `try-shutdown`.
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServerOptions } from "@grpc/grpc-js";
import { createServer } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { answerCommands, heapUsed } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";
import { soakHandlers } from "../support/soak-handlers.js";
import type { HandlerRecord } from "../support/soak-handlers.js";
import type { Fault } from "../support/peer-telemetry.js";
import { bindLocal } from "../../support/listen.js";

const { values } = parseArgs({
  options: {
    plain: { type: "boolean", default: false },
    "max-receive": { type: "string" },
    "max-send": { type: "string" },
    fault: { type: "string" },
    counting: { type: "boolean", default: false },
  },
});
const grpcOptions: ServerOptions = {
  ...(values["max-receive"] === undefined ? {} : { "grpc.max_receive_message_length": Number(values["max-receive"]) }),
  ...(values["max-send"] === undefined ? {} : { "grpc.max_send_message_length": Number(values["max-send"]) }),
};
const server = values.plain ? new Server(grpcOptions) : createServer(grpcOptions);
const { telemetry, summary } = peerTelemetry("server", values.fault as Fault | undefined, values.counting);

/** Every handler's record, or with `--counting` only their counts by `method|scenario|outcome`. */
const handlers: HandlerRecord[] = [];
const outcomes: Record<string, number> = {};
let open = 0;

addTestService(
  server,
  soakHandlers({
    begin(record) {
      if (!values.counting) handlers.push(record);
      open += 1;
    },
    settle(record) {
      open -= 1;
      const key = `${record.method}|${record.scenario}|${record.outcome}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    },
  }),
  { telemetry },
);

const port = await bindLocal(server, ServerCredentials.createInsecure());

answerCommands(
  { port },
  {
    report: async () => ({ handlers, outcomes, open, summary: await summary() }),
    heap: heapUsed,
    "force-shutdown": () => {
      server.forceShutdown();
    },
    "try-shutdown": () =>
      new Promise<void>((resolve, reject) => {
        server.tryShutdown((err) => (err === undefined ? resolve() : reject(err)));
      }),
  },
);
