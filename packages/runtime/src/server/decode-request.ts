import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";

/** A single request off the wire: the message, or why it did not parse. */
export type DecodedRequest<I extends DescMessage> =
  | { readonly message: MessageShape<I>; readonly error?: undefined }
  | { readonly message?: undefined; readonly error: unknown };

/**
 * Parses a unary or server-streaming request before the call is observed, so that
 * telemetry sees the message at start (span attributes lifted from it); a request
 * that does not parse is answered INTERNAL by the handler wrapper.
 */
export function decodeRequest<I extends DescMessage>(schema: I, bytes: Buffer): DecodedRequest<I> {
  try {
    return { message: parseMessage(schema, bytes) };
  } catch (error) {
    return { error };
  }
}
