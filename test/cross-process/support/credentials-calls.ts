// The calls of the call-credentials tests (peers/credentials-client.ts makes them).
// Each call goes on a channel of its own (TLS, trusting the certificate given, or
// insecure), carries its `x-call-id`, and gets its credentials as asked: per call, per
// client (combined into the channel credentials, as Go's WithPerRPCCredentials), or both.
import { create } from "@bufbuild/protobuf";
import { Client, Metadata, credentials, status as grpcStatus } from "@grpc/grpc-js";
import type { CallCredentials, CallOptions as GrpcCallOptions, ChannelCredentials, ChannelOptions, StatusObject } from "@grpc/grpc-js";
import { RpcError } from "protoc-gen-ts-otel-runtime";
import type { TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { UnaryRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { KINDS } from "../../support/call-kinds.js";
import { bearerToken } from "./bearer-token.js";
import { referenceMethods } from "./reference-service.js";

/** How a call authenticates: a bearer token, a generator that fails (with a plain Error, or one with a code), or not at all. */
export type CallAuth = "none" | "token" | "fails" | "fails-unauthenticated";

export interface CredentialsCall {
  readonly port: number;
  /** TLS, trusting the peers' certificate; otherwise insecure. */
  readonly secure: boolean;
  readonly callId: string;
  /** The proto method name, e.g. `ClientStream` (`referenceCall` makes `Unary` calls only). */
  readonly kind?: string;
  readonly callAuth: CallAuth;
  /** A bearer token in the channel's credentials. */
  readonly clientToken?: boolean;
}

/** What the caller saw. */
export interface CredentialsOutcome {
  readonly code: grpcStatus;
  readonly details: string;
  readonly responses: number;
}

/** The message of the failing generators' errors. */
export const GENERATOR_FAILURE = "token service down";

// A connection of its own for each call, closed with its client.
const channelOptions: ChannelOptions = { "grpc.use_local_subchannel_pool": 1 };
// Streaming kinds send both; the others the first.
const REQUESTS = [{ text: "a" }, { text: "b" }];

/** A token source that fails, as a token service that is down would; with a gRPC code when given. */
function failing(code?: grpcStatus): () => never {
  return () => {
    throw Object.assign(new Error(GENERATOR_FAILURE), code === undefined ? {} : { code });
  };
}

function callCredentials(call: CredentialsCall): CallCredentials | undefined {
  switch (call.callAuth) {
    case "none":
      return undefined;
    case "token":
      return bearerToken(() => `call-${call.callId}`);
    case "fails":
      return bearerToken(failing());
    case "fails-unauthenticated":
      return bearerToken(failing(grpcStatus.UNAUTHENTICATED));
  }
}

function channelCredentials(call: CredentialsCall, rootCert: Buffer): ChannelCredentials {
  const channel = call.secure ? credentials.createSsl(rootCert) : credentials.createInsecure();
  return call.clientToken === true ? credentials.combineChannelCredentials(channel, bearerToken(() => `client-${call.callId}`)) : channel;
}

function metadataOf(call: CredentialsCall): Metadata {
  const metadata = new Metadata();
  metadata.set("x-call-id", call.callId);
  return metadata;
}

const addressOf = (call: CredentialsCall): string => `127.0.0.1:${String(call.port)}`;

/** The call, made with the generated client. */
export async function generatedCall(call: CredentialsCall, rootCert: Buffer, telemetry: TelemetryOptions): Promise<CredentialsOutcome> {
  const kind = KINDS.find((k) => k.method === call.kind);
  if (kind === undefined) throw new Error(`no kind ${String(call.kind)}`);
  const client = new TestServiceClient(addressOf(call), channelCredentials(call, rootCert), { channelOptions, telemetry });
  let responses = 0;
  try {
    for await (const _ of kind.call(client, REQUESTS, { metadata: metadataOf(call), credentials: callCredentials(call) })) responses += 1;
    return { code: grpcStatus.OK, details: "OK", responses };
  } catch (err) {
    const error = RpcError.from(err);
    return { code: error.code, details: error.rawMessage, responses };
  } finally {
    client.close();
  }
}

/** The unary call with grpc-js's own Client, as a careful user would make it. */
export function referenceCall(call: CredentialsCall, rootCert: Buffer): Promise<CredentialsOutcome> {
  const client = new Client(addressOf(call), channelCredentials(call, rootCert), channelOptions);
  const perCall = callCredentials(call);
  const options: GrpcCallOptions = perCall === undefined ? {} : { credentials: perCall };
  const method = referenceMethods.Unary;
  return new Promise((resolve) => {
    const unary = client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, create(UnaryRequestSchema, REQUESTS[0]), metadataOf(call), options, () => undefined);
    unary.on("status", (status: StatusObject) => {
      client.close();
      resolve({ code: status.code, details: status.details, responses: status.code === grpcStatus.OK ? 1 : 0 });
    });
  });
}
