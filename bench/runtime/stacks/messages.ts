// The messages every stack sends and answers, as init objects: each stack turns them
// into messages the way its users would (ours takes init objects; bare grpc-js and
// nice-grpc are handed `create(...)` results), so all do the same protobuf work.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  BidiStreamRequest,
  BidiStreamResponseSchema,
  ClientStreamResponseSchema,
  ServerStreamResponseSchema,
  UnaryRequest,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";

export { TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";

/** The unary response: the request echoed. */
export function unaryReply(request: UnaryRequest): MessageInitShape<typeof UnaryResponseSchema> {
  return { text: request.text, payload: request.payload, count: request.count };
}

/** Message `index` of a server stream: a few bytes. */
export function streamItem(index: number): MessageInitShape<typeof ServerStreamResponseSchema> {
  return { text: "item", index };
}

/** Message `index` of a client or bidi stream (fits both request types). */
export interface StreamRequest {
  readonly text: string;
  readonly count: number;
}

export function streamRequest(index: number): StreamRequest {
  return { text: "item", count: index };
}

/** The client-streaming response: how many requests the server read. */
export function clientStreamReply(received: number): MessageInitShape<typeof ClientStreamResponseSchema> {
  return { count: received };
}

/** The bidi answer to one request. */
export function bidiReply(request: BidiStreamRequest): MessageInitShape<typeof BidiStreamResponseSchema> {
  return { text: request.text, index: request.count };
}

/** Sync generator of `count` stream requests. */
export function* streamRequests(count: number): Generator<StreamRequest> {
  for (let i = 0; i < count; i++) {
    yield streamRequest(i);
  }
}
