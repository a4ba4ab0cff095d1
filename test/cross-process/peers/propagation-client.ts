// The upstream client of the propagation tests: a generated client of the middle server
// (`--port`), with full telemetry.
//
// Commands, by `callId`: `start` (starts a call of `method` with one request of `text`
// and, given `timeoutMs`, a deadline; answers the deadline), `cancel` (aborts it),
// `result` (waits for its end; answers how it ended); `report` (the telemetry summary).
import { parseArgs } from "node:util";
import { credentials } from "@grpc/grpc-js";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { KINDS } from "../../support/call-kinds.js";
import { callOutcome } from "../../support/propagation-handlers.js";
import { ByCallId, withCallId } from "../support/by-call-id.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { values } = parseArgs({ options: { port: { type: "string" } } });
if (values.port === undefined) throw new Error("--port is required");
const { telemetry, summary } = peerTelemetry("client");
const client = new TestServiceClient(`127.0.0.1:${values.port}`, credentials.createInsecure(), { telemetry });

const cancels = new ByCallId<AbortController>();
const results = new ByCallId<string>();

answerCommands(
  { ready: true },
  {
    start: (args) => {
      const callId = String(args["callId"]);
      const kind = KINDS.find((k) => k.method === args["method"]);
      if (kind === undefined) throw new Error(`no method ${String(args["method"])}`);
      const deadline = typeof args["timeoutMs"] === "number" ? Date.now() + args["timeoutMs"] : undefined;
      const cancel = new AbortController();
      cancels.set(callId, cancel);
      void callOutcome(kind, client, String(args["text"]), { metadata: withCallId(callId), deadline, signal: cancel.signal }).then((outcome) => {
        results.set(callId, outcome);
      });
      return { deadline: deadline ?? null };
    },
    cancel: async (args) => {
      (await cancels.get(String(args["callId"]))).abort();
    },
    result: (args) => results.get(String(args["callId"])),
    report: summary,
  },
);
