import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { passThrough } from "../codec.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { ServerStreamingMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { encodeRequest } from "./encode-request.js";
import { ResponseIterator } from "./response-iterator.js";
import type { StartedCall } from "./response-iterator.js";

export function callServerStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: ServerStreamingMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  request: MessageInitShape<I>,
  options: CallOptions,
): AsyncIterable<MessageShape<O>> {
  return new ResponseIterator(method.output, () => {
    const encoded = encodeRequest(method.input, request);
    const state = new ClientCall(observer, options, encoded.message);
    if (encoded.error !== undefined) {
      state.endEarly(encoded.error);
      throw encoded.error;
    }
    return startServerStreaming(client, method, state, encoded.bytes);
  });
}

/** Starts a server-streaming call whose request is encoded. */
export function startServerStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: ServerStreamingMethod<I, O>,
  state: ClientCall,
  bytes: Buffer,
): StartedCall {
  const call = state.start(() =>
    client.makeServerStreamRequest(method.path, passThrough, passThrough, bytes, state.metadata, state.grpcOptions),
  );
  state.messageSent(bytes.length);
  return { call, state };
}
