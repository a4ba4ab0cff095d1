// A client of the conformance suite: `--impl reference` makes each call with grpc-js's
// own Client, `generated` with the generated TestServiceClient and full telemetry
// in-process, `generated-untraced` with the generated client and `telemetry: false`.
// Commands: `call` (support/conformance-calls.ts), `report` (the telemetry summary of the
// generated client).
import { parseArgs } from "node:util";
import { generatedCall, referenceCall } from "../support/conformance-calls.js";
import type { CallRequest } from "../support/conformance-calls.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { values } = parseArgs({ options: { impl: { type: "string" } } });
const impl = values.impl;
if (impl !== "reference" && impl !== "generated" && impl !== "generated-untraced") throw new Error(`--impl: ${String(impl)}`);
const { telemetry, summary } = peerTelemetry("client");

answerCommands(
  { impl },
  {
    call: (args) => (impl === "reference" ? referenceCall(args as unknown as CallRequest) : generatedCall(args as unknown as CallRequest, impl === "generated" ? telemetry : false)),
    report: () => summary(),
  },
);
