import type { Writable } from "node:stream";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { sendAll, writeMessage } from "../write-message.js";
import type { HandlerStream } from "./handlers.js";
import type { ServerCall } from "./server-call.js";
import { serializeResponse } from "./server-codec.js";

/**
 * Writes what a streaming handler yields, waiting for `drain` whenever grpc-js says
 * its buffer is full, so a slow client slows the handler down. When the call ends
 * early the handler's iterator is closed (its `finally` blocks run).
 */
export async function sendResponses<O extends DescMessage>(
  stream: Writable,
  responses: HandlerStream<O>,
  schema: O,
  state: ServerCall,
): Promise<void> {
  const send = (response: MessageInitShape<O>): boolean | Promise<boolean> => {
    if (state.isEnded) {
      // The call ended while the handler produced this message: it goes nowhere.
      return false;
    }
    const bytes = serializeResponse(schema, response);
    state.messageSent(bytes.length);
    return writeMessage(stream, bytes, state.signal);
  };
  await sendAll(responses, send);
}
