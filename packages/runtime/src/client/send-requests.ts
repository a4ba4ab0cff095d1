import type { ClientWritableStream } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { serializeMessage } from "../codec.js";
import { Code, RpcError, errorMessage } from "../errors.js";
import { sendAll, writeMessage } from "../write-message.js";
import type { ClientCall } from "./client-call.js";

/** What a client may pass as a request stream. */
export type RequestStream<I extends DescMessage> = AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>;

/**
 * Writes the caller's requests, one at a time and no faster than the call accepts
 * them, then half-closes. A request stream that throws cancels the call, which then
 * fails with CANCELLED carrying the thrown error as its cause.
 */
export async function sendRequests<I extends DescMessage>(
  call: ClientWritableStream<Buffer>,
  requests: RequestStream<I>,
  schema: I,
  state: ClientCall,
): Promise<void> {
  const stop = state.ended;
  const send = (request: MessageInitShape<I>): boolean | Promise<boolean> => {
    if (stop.aborted) {
      return false;
    }
    const bytes = serializeMessage(schema, request);
    state.messageSent(bytes.length);
    return writeMessage(call, bytes, stop);
  };
  try {
    // Stopped early, the call is over: no half-close.
    if ((await sendAll(requests, send)) && !stop.aborted) {
      call.end();
    }
  } catch (err) {
    const error =
      err instanceof RpcError ? err : new RpcError(Code.CANCELLED, `request stream failed: ${errorMessage(err)}`, undefined, { cause: err });
    state.fail(error, call, err);
  }
}
