import { create } from "@bufbuild/protobuf";
import { createServer } from "nice-grpc";
import type { ServiceImplementation } from "nice-grpc";
import { openTelemetryServerMiddleware } from "nice-grpc-opentelemetry";
import { prometheusServerMiddleware } from "nice-grpc-prometheus";
import {
  BidiStreamResponseSchema,
  ClientStreamResponseSchema,
  ServerStreamResponseSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BenchServer } from "./bench-peer.js";
import { bidiReply, clientStreamReply, streamItem, unaryReply } from "./messages.js";
import { testServiceNice } from "./nice-definition.js";

/** A nice-grpc server, with or without the OpenTelemetry and Prometheus middleware. */
export async function niceServer(middleware: boolean): Promise<BenchServer> {
  let served = 0;
  const implementation: ServiceImplementation<typeof testServiceNice> = {
    async unary(request) {
      served++;
      return create(UnaryResponseSchema, unaryReply(request));
    },
    async *serverStream(request) {
      served++;
      for (let i = 0; i < request.count; i++) {
        yield create(ServerStreamResponseSchema, streamItem(i));
      }
    },
    async clientStream(requests) {
      served++;
      let received = 0;
      for await (const _ of requests) {
        received++;
      }
      return create(ClientStreamResponseSchema, clientStreamReply(received));
    },
    async *bidiStream(requests) {
      served++;
      for await (const request of requests) {
        yield create(BidiStreamResponseSchema, bidiReply(request));
      }
    },
  };
  const server = middleware ? createServer().use(openTelemetryServerMiddleware()).use(prometheusServerMiddleware()) : createServer();
  server.add(testServiceNice, implementation);
  const port = await server.listen("127.0.0.1:0");
  return { port, served: () => served, stop: () => server.shutdown() };
}
