import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition } from "../service.js";
import type { ServerContext } from "./server-context.js";

/** What a unary or client-streaming handler returns: the response, or its init object. */
export type HandlerResult<O extends DescMessage> = MessageInitShape<O> | Promise<MessageInitShape<O>>;

/** What a server-streaming or bidi handler returns, typically an async generator. */
export type HandlerStream<O extends DescMessage> = AsyncIterable<MessageInitShape<O>> | Iterable<MessageInitShape<O>>;

/** The handler a method of a given kind takes. */
export type HandlerFor<D> =
  D extends MethodDefinition<infer K, infer I, infer O>
    ? K extends "unary"
      ? (request: MessageShape<I>, context: ServerContext) => HandlerResult<O>
      : K extends "server_streaming"
        ? (request: MessageShape<I>, context: ServerContext) => HandlerStream<O>
        : K extends "client_streaming"
          ? (requests: AsyncIterable<MessageShape<I>>, context: ServerContext) => HandlerResult<O>
          : (requests: AsyncIterable<MessageShape<I>>, context: ServerContext) => HandlerStream<O>
    : never;

/** The handlers of a whole service, by the member names of its method table. */
export type ServiceHandlers<M extends Record<string, MethodDefinition>> = { [K in keyof M]: HandlerFor<M[K]> };
