// One call of the conformance suite, as the reference client (plain grpc-js Client)
// and as the generated client (TestServiceClient) make it: the row's requests, its
// deadline, cancel, channel options; each call on a channel of its own, closed when the
// call is over, so that each call is one connection on the proxy. A call can have a
// holder: a call of the `held` scenario made first on the same channel, which keeps one
// of the server's streams open until the server is released.
import { create } from "@bufbuild/protobuf";
import { Client, Metadata, credentials, status as grpcStatus } from "@grpc/grpc-js";
import type { EventEmitter } from "node:events";
import type { CallOptions as GrpcCallOptions, ChannelOptions, ClientUnaryCall, ClientWritableStream, ServiceError, StatusObject } from "@grpc/grpc-js";
import { RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions, TelemetryOption } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { BidiStreamRequestSchema, ClientStreamRequestSchema, ServerStreamRequestSchema, UnaryRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { HELD, SCENARIOS, streamsRequests } from "./conformance-scenarios.js";
import type { ClientPlan, Kind } from "./conformance-scenarios.js";
import { passThrough, referenceMethods } from "./reference-service.js";
import { until } from "./soak-calls.js";

export interface CallRequest {
  readonly port: number;
  readonly kind: Kind;
  readonly scenario: string;
  readonly callId: string;
  /** `grpc.service_config` of the channel (retry and hedging rows). */
  readonly serviceConfig?: string;
  /**
   * The call id of a holder: made first, on the same channel; this call starts once the
   * holder's response headers came. The channel closes once both ended.
   */
  readonly holder?: string;
}

/** What the caller saw. */
export interface CallOutcome {
  readonly code: number;
  readonly details: string;
  readonly responses: number;
}

function planOf(scenario: string): ClientPlan {
  return SCENARIOS.find((s) => s.name === scenario)?.client ?? {};
}

function channelOptions(plan: ClientPlan, serviceConfig: string | undefined): ChannelOptions {
  return {
    // A connection of its own, closed with the client.
    "grpc.use_local_subchannel_pool": 1,
    ...plan.channelOptions,
    ...(serviceConfig === undefined ? {} : { "grpc.service_config": serviceConfig }),
  };
}

function metadataOf(request: { callId: string; scenario: string }): Metadata {
  const metadata = new Metadata();
  metadata.set("x-call-id", request.callId);
  metadata.set("x-scenario", request.scenario);
  return metadata;
}

/** The row's requests: one, or two on a request stream. */
function requestsOf(kind: Kind, plan: ClientPlan): { text: string; payload: Uint8Array }[] {
  const payload = new Uint8Array(plan.requestPayload ?? 0).fill(0x72);
  return (streamsRequests(kind) ? ["a", "b"] : ["a"]).map((text) => ({ text, payload }));
}

const deadlineOf = (plan: ClientPlan): number | undefined => (plan.deadlineMs === undefined ? undefined : Date.now() + plan.deadlineMs);

/**
 * Starts a holder with `start` (given what to call when its response headers come) and
 * resolves once they came, or the holder ended without them, with the holder's end.
 */
function held(start: (onHeaders: () => void) => Promise<unknown>): Promise<{ ended: Promise<unknown> }> {
  return new Promise((resolve) => {
    const came = (): void => resolve({ ended });
    const ended: Promise<void> = start(came).then(came, came);
  });
}

/** The call, made with grpc-js's own Client as a careful user would. */
export async function referenceCall(request: CallRequest): Promise<CallOutcome> {
  const client = new Client(`127.0.0.1:${String(request.port)}`, credentials.createInsecure(), channelOptions(planOf(request.scenario), request.serviceConfig));
  const holder = request.holder === undefined ? undefined : await referenceHolder(client, request.holder);
  const outcome = await referenceCallOn(client, request);
  closeAfter(holder, () => client.close());
  return outcome;
}

/** Closes the client now, or once its holder ended: the call's outcome goes back while the holder may still wait. */
function closeAfter(holder: { ended: Promise<unknown> } | undefined, close: () => void): void {
  if (holder === undefined) close();
  else void holder.ended.then(close);
}

function referenceHolder(client: Client, callId: string): Promise<{ ended: Promise<unknown> }> {
  const method = referenceMethods.Unary;
  return held(
    (onHeaders) =>
      new Promise((resolve) => {
        const call = client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, create(UnaryRequestSchema, { text: HELD }), metadataOf({ callId, scenario: HELD }), {}, () => undefined);
        call.on("metadata", onHeaders);
        call.on("status", resolve);
      }),
  );
}

function referenceCallOn(client: Client, request: CallRequest): Promise<CallOutcome> {
  const plan = planOf(request.scenario);
  const metadata = metadataOf(request);
  const deadline = deadlineOf(plan);
  const options: GrpcCallOptions = deadline === undefined ? {} : { deadline };
  const method = referenceMethods[request.kind];
  const raw = plan.rawRequest === undefined ? undefined : Buffer.from(plan.rawRequest, "hex");
  const requests = requestsOf(request.kind, plan);
  let responses = 0;
  const ignore = (_err: ServiceError | null): void => undefined;
  let call: ClientUnaryCall;
  let writer: ClientWritableStream<unknown> | undefined;
  // Unparsable requests go out as raw bytes, through a serializer that passes them.
  const serialize = (message: unknown): Buffer => (Buffer.isBuffer(message) ? passThrough(message) : (method.requestSerialize as (m: unknown) => Buffer)(message));
  const deserialize = method.responseDeserialize as (bytes: Buffer) => unknown;
  switch (request.kind) {
    case "Unary":
      call = client.makeUnaryRequest(method.path, serialize, deserialize, raw ?? create(UnaryRequestSchema, requests[0]), metadata, options, ignore);
      break;
    case "ServerStream":
      call = client.makeServerStreamRequest(method.path, serialize, deserialize, raw ?? create(ServerStreamRequestSchema, requests[0]), metadata, options);
      break;
    case "ClientStream":
      call = writer = client.makeClientStreamRequest(method.path, serialize, deserialize, metadata, options, ignore);
      break;
    case "BidiStream":
      call = writer = client.makeBidiStreamRequest(method.path, serialize, deserialize, metadata, options);
      break;
  }
  if (writer !== undefined) {
    const schema = request.kind === "ClientStream" ? ClientStreamRequestSchema : BidiStreamRequestSchema;
    if (raw !== undefined) writer.write(raw);
    else for (const r of requests) writer.write(create(schema, r));
    if (plan.holdRequests !== true) writer.end();
  }
  const events: EventEmitter = call;
  if (plan.cancel === "start") call.cancel();
  return new Promise((resolve) => {
    call.on("metadata", () => {
      if (plan.cancel === "headers") call.cancel();
    });
    events.on("data", () => {
      responses += 1;
      if ((plan.cancel === "first-message" && responses === 1) || (plan.cancel === "second-message" && responses === 2)) call.cancel();
    });
    // A stream's error comes with its status; the status says it all.
    events.on("error", () => undefined);
    call.on("status", (status: StatusObject) => {
      // A unary response arrives through the callback, counted here once it came.
      if (request.kind === "Unary" || request.kind === "ClientStream") responses = status.code === grpcStatus.OK ? 1 : 0;
      resolve({ code: status.code, details: status.details, responses });
    });
  });
}

/**
 * The call, made with the generated client. With `telemetry: false` the call is given a
 * signal only when its row cancels: a unary call that has none, no callback and no
 * telemetry is settled from grpc-js's callback (unary.ts, `sendPlainUnary`), and that
 * path must answer as grpc-js's own client does too.
 */
export async function generatedCall(request: CallRequest, telemetry: TelemetryOption): Promise<CallOutcome> {
  const plan = planOf(request.scenario);
  const client = new TestServiceClient(`127.0.0.1:${String(request.port)}`, credentials.createInsecure(), {
    channelOptions: channelOptions(plan, request.serviceConfig),
    telemetry,
  });
  const holderId = request.holder;
  const holder = holderId === undefined ? undefined : await held((onHeaders) => client.unary({ text: HELD }, { metadata: metadataOf({ callId: holderId, scenario: HELD }), onHeader: onHeaders }));
  const abort = new AbortController();
  const ended = new AbortController();
  const deadline = deadlineOf(plan);
  const options: CallOptions = {
    metadata: metadataOf(request),
    ...(telemetry === false && plan.cancel === undefined ? {} : { signal: abort.signal }),
    ...(deadline === undefined ? {} : { deadline }),
    ...(plan.cancel === "headers" ? { onHeader: () => abort.abort() } : {}),
  };
  const requests = requestsOf(request.kind, plan);
  async function* stream(): AsyncGenerator<{ text: string; payload: Uint8Array }> {
    yield* requests;
    if (plan.holdRequests === true) await until(ended.signal);
  }
  let responses = 0;
  try {
    switch (request.kind) {
      case "Unary":
      case "ClientStream": {
        const response = request.kind === "Unary" ? client.unary(requests[0] ?? {}, options) : client.clientStream(stream(), options);
        if (plan.cancel === "start") abort.abort();
        await response;
        responses = 1;
        break;
      }
      case "ServerStream":
      case "BidiStream": {
        const iterable = request.kind === "ServerStream" ? client.serverStream(requests[0] ?? {}, options) : client.bidiStream(stream(), options);
        const iterator = iterable[Symbol.asyncIterator]();
        // The call starts on the first next().
        const first = iterator.next();
        if (plan.cancel === "start") abort.abort();
        for (let result = await first; result.done !== true; result = await iterator.next()) {
          responses += 1;
          if (plan.cancel === "first-message" && responses === 1) abort.abort();
          if (plan.cancel === "second-message" && responses === 2) {
            // Leaving the loop early is how a generated client's caller cancels a stream.
            await iterator.return?.();
            return { code: 1, details: "left the stream", responses };
          }
        }
      }
    }
    return { code: 0, details: "OK", responses };
  } catch (err) {
    const error = RpcError.from(err);
    return { code: error.code, details: error.rawMessage, responses };
  } finally {
    ended.abort();
    closeAfter(holder, () => client.close());
  }
}
