import { Server } from "@grpc/grpc-js";
import type { TelemetryOption } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { BenchServer } from "./bench-peer.js";
import { bidiReply, clientStreamReply, streamItem, unaryReply } from "./messages.js";
import { listen, stopServer } from "./grpc-server.js";

/** The generated service registration with the benchmark's handlers. */
export async function oursServer(telemetry: TelemetryOption): Promise<BenchServer> {
  const server = new Server();
  let served = 0;
  addTestService(
    server,
    {
      unary(request) {
        served++;
        return unaryReply(request);
      },
      async *serverStream(request) {
        served++;
        for (let i = 0; i < request.count; i++) {
          yield streamItem(i);
        }
      },
      async clientStream(requests) {
        served++;
        let received = 0;
        for await (const _ of requests) {
          received++;
        }
        return clientStreamReply(received);
      },
      async *bidiStream(requests) {
        served++;
        for await (const request of requests) {
          yield bidiReply(request);
        }
      },
    },
    { telemetry },
  );
  const port = await listen(server);
  return { port, served: () => served, stop: () => stopServer(server) };
}
