// The four call kinds of the TestService, driven uniformly: every call takes requests
// as an array (single-request kinds send the first) or an async iterable, and yields
// its responses as an async iterable.
import type { CallOptions } from "protoc-gen-ts-otel/runtime";
import type { TestServiceClient } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { Behavior } from "../../golden/test_service/tsotel/testing/v1/test_service_pb.js";

export interface RequestInit {
  text?: string;
  count?: number;
  behavior?: Behavior;
  statusCode?: number;
}

export type Requests = readonly RequestInit[] | AsyncIterable<RequestInit>;

export interface Response {
  readonly text: string;
  readonly index: number;
}

export interface Kind {
  /** The proto method name, e.g. `ServerStream`. */
  readonly method: string;
  /** `tsotel.testing.v1.TestService/<method>`: the span name. */
  readonly fullName: string;
  readonly streamsRequests: boolean;
  readonly streamsResponses: boolean;
  call(client: TestServiceClient, requests: Requests, options?: CallOptions): AsyncIterable<Response>;
}

function first(requests: Requests): RequestInit {
  if (!Array.isArray(requests)) {
    throw new Error("a single-request kind takes an array");
  }
  return (requests as readonly RequestInit[])[0] ?? {};
}

async function* once<T>(response: Promise<T>): AsyncGenerator<T> {
  yield await response;
}

function kind(method: string, streamsRequests: boolean, streamsResponses: boolean, call: Kind["call"]): Kind {
  return { method, fullName: `tsotel.testing.v1.TestService/${method}`, streamsRequests, streamsResponses, call };
}

export const kinds: readonly Kind[] = [
  kind("Unary", false, false, (client, requests, options) => once(client.unary(first(requests), options))),
  kind("ServerStream", false, true, (client, requests, options) => client.serverStream(first(requests), options)),
  kind("ClientStream", true, false, (client, requests, options) => once(client.clientStream(requests, options))),
  kind("BidiStream", true, true, (client, requests, options) => client.bidiStream(requests, options)),
];
