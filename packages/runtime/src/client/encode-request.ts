import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { createMessage, serializeMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";

/** The request of a single-request call, ready before the call starts. */
export type EncodedRequest<I extends DescMessage> =
  | { readonly message: MessageShape<I>; readonly bytes: Buffer; readonly error?: undefined }
  | { readonly message?: MessageShape<I> | undefined; readonly bytes?: undefined; readonly error: RpcError };

/**
 * Creates and serializes a unary or server-streaming request before the call starts,
 * so that telemetry sees the message at start (span attributes lifted from it) and a
 * request that cannot be encoded ends the call as INTERNAL before anything is sent.
 */
export function encodeRequest<I extends DescMessage>(schema: I, init: MessageInitShape<I>): EncodedRequest<I> {
  let message: MessageShape<I> | undefined;
  try {
    message = createMessage(schema, init);
    return { message, bytes: serializeMessage(schema, message) };
  } catch (err) {
    return { message, error: RpcError.from(err, Code.INTERNAL) };
  }
}
