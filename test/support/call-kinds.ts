// The four call kinds of the canonical TestService, driven uniformly: every call takes
// its requests as a list (single-request kinds send the first) or an async iterable,
// and yields its responses as an async iterable.
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import type { TestServiceClient } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { Behavior } from "../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { TestResponse } from "./behavior-handlers.js";

export interface RequestInit {
  text?: string;
  count?: number;
  payload?: Uint8Array;
  behavior?: Behavior;
  statusCode?: number;
}

export type Requests = readonly RequestInit[] | AsyncIterable<RequestInit>;

export interface Kind {
  /** The proto method name, e.g. `ServerStream`; also its `grpc_method`. */
  readonly method: string;
  /** `tsotel.testing.v1.TestService/<method>`: the span name. */
  readonly fullName: string;
  /** Its `grpc_type`. */
  readonly type: "unary" | "server_stream" | "client_stream" | "bidi_stream";
  readonly streamsRequests: boolean;
  readonly streamsResponses: boolean;
  call(client: TestServiceClient, requests: Requests, options?: CallOptions): AsyncIterable<TestResponse>;
}

function first(requests: Requests): RequestInit {
  if (!Array.isArray(requests)) {
    throw new Error("a single-request kind takes a list");
  }
  return (requests as readonly RequestInit[])[0] ?? {};
}

async function* once<T>(response: Promise<T>): AsyncGenerator<T> {
  yield await response;
}

function kind(method: string, type: Kind["type"], streamsRequests: boolean, streamsResponses: boolean, call: Kind["call"]): Kind {
  return { method, fullName: `tsotel.testing.v1.TestService/${method}`, type, streamsRequests, streamsResponses, call };
}

export const KINDS: readonly Kind[] = [
  kind("Unary", "unary", false, false, (client, requests, options) => once(client.unary(first(requests), options))),
  kind("ServerStream", "server_stream", false, true, (client, requests, options) => client.serverStream(first(requests), options)),
  kind("ClientStream", "client_stream", true, false, (client, requests, options) => once(client.clientStream(requests, options))),
  kind("BidiStream", "bidi_stream", true, true, (client, requests, options) => client.bidiStream(requests, options)),
];
