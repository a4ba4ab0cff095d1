import { Metadata } from "@grpc/grpc-js";
import type { Client, ServiceError } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { parseMessage, passThrough } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall, grpcCallOptions, isPlainCall } from "./client-call.js";
import { SingleResponse } from "./single-response.js";
import { encodeRequest } from "./encode-request.js";

export function callUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: UnaryMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  request: MessageInitShape<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const encoded = encodeRequest(method.input, request);
  if (observer === undefined && isPlainCall(options)) {
    return encoded.error === undefined ? sendPlainUnary(client, method, options, encoded.bytes) : Promise.reject(encoded.error);
  }
  const state = new ClientCall(observer, options, encoded.message);
  if (encoded.error !== undefined) {
    state.endEarly(encoded.error);
    return Promise.reject(encoded.error);
  }
  return sendUnary(client, method, state, encoded.bytes);
}

/** Starts a unary call whose request is encoded; settles with its response or its RpcError. */
export function sendUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: UnaryMethod<I, O>,
  state: ClientCall,
  bytes: Buffer,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    const response = new SingleResponse(method, state);
    const call = state.start(() =>
      client.makeUnaryRequest(method.path, passThrough, passThrough, bytes, state.metadata, state.grpcOptions, response.receive),
    );
    state.messageSent(bytes.length);
    response.settle(call, resolve, reject);
  });
}

/**
 * A unary call nothing but its caller waits on (see `isPlainCall`), settled from
 * grpc-js's callback, which grpc-js runs with the status, just before its `'status'`
 * event: the same outcome as `sendUnary`'s, without the per-call objects and listener
 * that one needs for telemetry, signals and callbacks (`telemetry: false` is measured
 * against bare grpc-js in `npm run bench:cpu`).
 */
function sendPlainUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: UnaryMethod<I, O>,
  options: CallOptions,
  bytes: Buffer,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    const settle = (err: ServiceError | null, value?: Buffer): void => {
      if (err !== null || value === undefined) {
        // grpc-js's error for the status; or for an OK without a message.
        reject(RpcError.from(err));
        return;
      }
      try {
        resolve(parseMessage(method.output, value));
      } catch (parseError) {
        reject(RpcError.from(parseError, Code.INTERNAL));
      }
    };
    try {
      client.makeUnaryRequest(method.path, passThrough, passThrough, bytes, options.metadata ?? new Metadata(), grpcCallOptions(options, undefined), settle);
    } catch (err) {
      // A closed channel: as `ClientCall.start` reports it.
      reject(RpcError.from(err, Code.UNAVAILABLE));
    }
  });
}
