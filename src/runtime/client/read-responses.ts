import type { ClientReadableStream } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import { MessageReader } from "../message-reader.js";
import type { ClientCall } from "./client-call.js";

/**
 * Yields the responses of a streaming call, then throws its error status, if any.
 * Leaving the loop early (break, return, a throw in the loop body) cancels the call.
 */
export async function* readResponses<O extends DescMessage>(
  call: ClientReadableStream<Buffer>,
  schema: O,
  state: ClientCall,
): AsyncGenerator<MessageShape<O>, void, undefined> {
  const status = new Promise<RpcError | undefined>((resolve) => state.attach(call, resolve));
  const reader = new MessageReader(call);
  let finished = false;
  try {
    for (let bytes = await reader.next(); bytes !== undefined; bytes = await reader.next()) {
      state.messageReceived(bytes.length);
      let message: MessageShape<O>;
      try {
        message = parseMessage(schema, bytes);
      } catch (err) {
        const error = RpcError.from(err, Code.INTERNAL);
        state.fail(error, call, error.cause);
        break;
      }
      yield message;
    }
    const error = await status;
    finished = true;
    if (error !== undefined) {
      throw error;
    }
  } finally {
    if (!finished) {
      call.cancel();
    }
  }
}
