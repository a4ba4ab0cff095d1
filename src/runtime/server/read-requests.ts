import type { Readable } from "node:stream";
import { setImmediate as settle } from "node:timers/promises";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import { MessageReader } from "../message-reader.js";
import type { ServerCall } from "./server-call.js";

/**
 * The request stream a handler iterates. It reads a message only when the handler
 * asks for the next one, and throws the call's status (CANCELLED, DEADLINE_EXCEEDED)
 * if the call ends while the handler still waits for requests.
 */
export async function* readRequests<I extends DescMessage>(
  stream: Readable,
  schema: I,
  state: ServerCall,
): AsyncGenerator<MessageShape<I>, void, undefined> {
  const reader = new MessageReader(stream, state.signal);
  for (let bytes = await reader.next(); bytes !== undefined; bytes = await reader.next()) {
    state.messageReceived(bytes.length);
    yield parseMessage(schema, bytes);
  }
  if (!state.signal.aborted) {
    // A client's cancel (RST_STREAM) reaches grpc-js as the end of the request stream
    // first and as "cancelled" a few ticks later (grpc/grpc-node#2583). Let the events
    // already under way land before telling the handler the client finished sending.
    await settle();
  }
  if (state.signal.aborted) {
    throw state.signal.reason;
  }
}
