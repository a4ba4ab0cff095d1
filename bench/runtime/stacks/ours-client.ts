import { credentials } from "@grpc/grpc-js";
import type { TelemetryOption } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { BenchClient } from "./bench-peer.js";
import { streamRequests } from "./messages.js";

/**
 * The generated client, as an application creates it. `propagate: false` where its
 * server's handlers run in the same process: they would otherwise enter the handler
 * scope that only a server making generated calls pays for.
 */
export function oursClient(address: string, telemetry: TelemetryOption, propagate = true): BenchClient {
  const client = new TestServiceClient(address, credentials.createInsecure(), { telemetry, propagate });
  return {
    unary: (payload) => client.unary({ payload }),
    async serverStream(messages) {
      let read = 0;
      for await (const _ of client.serverStream({ count: messages })) {
        read++;
      }
      return read;
    },
    async clientStream(messages) {
      const response = await client.clientStream(streamRequests(messages));
      return response.count;
    },
    async bidiStream(messages) {
      let read = 0;
      for await (const _ of client.bidiStream(streamRequests(messages))) {
        read++;
      }
      return read;
    },
    close: () => client.close(),
  };
}
