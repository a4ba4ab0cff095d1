import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { passThrough } from "../codec.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { ClientStreamingMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { SingleResponse } from "./single-response.js";
import { sendRequests } from "./send-requests.js";
import type { RequestStream } from "./send-requests.js";

export function callClientStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: ClientStreamingMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  requests: RequestStream<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  return sendClientStreaming(client, method, new ClientCall(observer, options), requests);
}

/** Starts a client-streaming call and sends its requests; settles with its response or its RpcError. */
export function sendClientStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: ClientStreamingMethod<I, O>,
  state: ClientCall,
  requests: RequestStream<I>,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    const response = new SingleResponse(method, state);
    const call = state.start(() =>
      client.makeClientStreamRequest(method.path, passThrough, passThrough, state.metadata, state.grpcOptions, response.receive),
    );
    response.settle(call, resolve, reject);
    void sendRequests(call, requests, method.input, state);
  });
}
