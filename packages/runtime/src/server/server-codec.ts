import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { parseMessage, serializeMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";

// A server answers a message it cannot read or write with the statuses grpc-js's own
// (de)serializers cause, word for word, so that a client cannot tell a generated
// server from a hand-written one; the exception stays the error's cause.

/** A single request off the wire: the message, or why it did not parse. */
export type DecodedRequest<I extends DescMessage> =
  | { readonly message: MessageShape<I>; readonly error?: undefined }
  | { readonly message?: undefined; readonly error: RpcError };

/**
 * Parses a unary or server-streaming request before the call is observed, so that
 * telemetry sees the message at start (span attributes lifted from it); a request
 * that does not parse is answered by the handler wrapper.
 */
export function decodeRequest<I extends DescMessage>(schema: I, bytes: Buffer): DecodedRequest<I> {
  try {
    return { message: parseMessage(schema, bytes) };
  } catch (error) {
    return { error: new RpcError(Code.INTERNAL, "Error deserializing request", undefined, { cause: error }) };
  }
}

/** A request of a stream; INTERNAL as grpc-js words it if it does not parse. */
export function parseRequest<I extends DescMessage>(schema: I, bytes: Buffer): MessageShape<I> {
  const decoded = decodeRequest(schema, bytes);
  if (decoded.error !== undefined) {
    throw decoded.error;
  }
  return decoded.message;
}

/** A response's bytes; INTERNAL as grpc-js words it if it cannot be serialized. */
export function serializeResponse<O extends DescMessage>(schema: O, response: MessageInitShape<O>): Buffer {
  try {
    return serializeMessage(schema, response);
  } catch (error) {
    throw new RpcError(Code.INTERNAL, "Error serializing response", undefined, { cause: error });
  }
}

/**
 * A handler's response as a message, for interceptors to see; INTERNAL worded as for a
 * response that cannot be serialized, which is what it would have become.
 */
export function createResponse<O extends DescMessage>(schema: O, response: MessageInitShape<O>): MessageShape<O> {
  try {
    return create(schema, response);
  } catch (error) {
    throw new RpcError(Code.INTERNAL, "Error serializing response", undefined, { cause: error });
  }
}
