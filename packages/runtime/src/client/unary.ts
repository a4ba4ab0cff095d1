import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { passThrough } from "../codec.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
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
