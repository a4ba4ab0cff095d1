import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { passThrough } from "../codec.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { BidiStreamingMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { ResponseIterator } from "./response-iterator.js";
import type { StartedCall } from "./response-iterator.js";
import { sendRequests } from "./send-requests.js";
import type { RequestStream } from "./send-requests.js";

export function callBidiStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: BidiStreamingMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  requests: RequestStream<I>,
  options: CallOptions,
): AsyncIterable<MessageShape<O>> {
  return new ResponseIterator(method.output, () => startBidiStreaming(client, method, new ClientCall(observer, options), requests));
}

/** Starts a bidi call and sends its requests. */
export function startBidiStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: BidiStreamingMethod<I, O>,
  state: ClientCall,
  requests: RequestStream<I>,
): StartedCall {
  const call = state.start(() => client.makeBidiStreamRequest(method.path, passThrough, passThrough, state.metadata, state.grpcOptions));
  void sendRequests(call, requests, method.input, state);
  return { call, state };
}
