// The client of the call-credentials tests (support/credentials-calls.ts), with full
// telemetry; `--ca` is the certificate TLS channels trust. Commands: `call` (the
// generated TestServiceClient, any kind), `reference` (grpc-js's own Client, unary),
// `report` (the telemetry summary).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generatedCall, referenceCall } from "../support/credentials-calls.js";
import type { CredentialsCall } from "../support/credentials-calls.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";

const { values } = parseArgs({ options: { ca: { type: "string" } } });
if (values.ca === undefined) throw new Error("--ca is required");
const rootCert = readFileSync(values.ca);
const { telemetry, summary } = peerTelemetry("client");

answerCommands(
  {},
  {
    call: (args) => generatedCall(args as unknown as CredentialsCall, rootCert, telemetry),
    reference: (args) => referenceCall(args as unknown as CredentialsCall, rootCert),
    report: () => summary(),
  },
);
