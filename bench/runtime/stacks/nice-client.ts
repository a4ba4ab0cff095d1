import { create } from "@bufbuild/protobuf";
import { createChannel, createClientFactory } from "nice-grpc";
import { openTelemetryClientMiddleware } from "nice-grpc-opentelemetry";
import { prometheusClientMiddleware } from "nice-grpc-prometheus";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BenchClient } from "./bench-peer.js";
import { streamRequest } from "./messages.js";
import { testServiceNice } from "./nice-definition.js";

/** A nice-grpc client, with or without the OpenTelemetry and Prometheus middleware. */
export function niceClient(address: string, middleware: boolean): BenchClient {
  const channel = createChannel(address);
  const factory = middleware
    ? createClientFactory().use(openTelemetryClientMiddleware()).use(prometheusClientMiddleware())
    : createClientFactory();
  const client = factory.create(testServiceNice, channel);
  return {
    unary: (payload) => client.unary(create(UnaryRequestSchema, { payload })),
    async serverStream(messages) {
      let read = 0;
      for await (const _ of client.serverStream(create(ServerStreamRequestSchema, { count: messages }))) {
        read++;
      }
      return read;
    },
    async clientStream(messages) {
      async function* requests(): AsyncGenerator<ReturnType<typeof create<typeof ClientStreamRequestSchema>>> {
        for (let i = 0; i < messages; i++) {
          yield create(ClientStreamRequestSchema, streamRequest(i));
        }
      }
      const response = await client.clientStream(requests());
      return response.count;
    },
    async bidiStream(messages) {
      async function* requests(): AsyncGenerator<ReturnType<typeof create<typeof BidiStreamRequestSchema>>> {
        for (let i = 0; i < messages; i++) {
          yield create(BidiStreamRequestSchema, streamRequest(i));
        }
      }
      let read = 0;
      for await (const _ of client.bidiStream(requests())) {
        read++;
      }
      return read;
    },
    close: () => channel.close(),
  };
}
