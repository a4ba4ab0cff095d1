import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { Server } from "@grpc/grpc-js";
import type { handleBidiStreamingCall, handleClientStreamingCall, handleServerStreamingCall, handleUnaryCall } from "@grpc/grpc-js";
import {
  BidiStreamResponseSchema,
  ClientStreamResponseSchema,
  ServerStreamResponseSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type {
  BidiStreamRequest,
  BidiStreamResponse,
  ClientStreamRequest,
  ClientStreamResponse,
  ServerStreamRequest,
  ServerStreamResponse,
  UnaryRequest,
  UnaryResponse,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BenchServer } from "./bench-peer.js";
import { testServiceGrpc } from "./grpc-definition.js";
import { listen, stopServer } from "./grpc-server.js";
import { bidiReply, clientStreamReply, streamItem, unaryReply } from "./messages.js";

/** Plain grpc-js handlers, honouring backpressure as the generated ones do. */
export async function bareServer(): Promise<BenchServer> {
  let served = 0;
  const unary: handleUnaryCall<UnaryRequest, UnaryResponse> = (call, callback) => {
    served++;
    callback(null, create(UnaryResponseSchema, unaryReply(call.request)));
  };
  const serverStream: handleServerStreamingCall<ServerStreamRequest, ServerStreamResponse> = (call) => {
    served++;
    void (async () => {
      for (let i = 0; i < call.request.count; i++) {
        if (!call.write(create(ServerStreamResponseSchema, streamItem(i)))) {
          await once(call, "drain");
        }
      }
      call.end();
    })();
  };
  const clientStream: handleClientStreamingCall<ClientStreamRequest, ClientStreamResponse> = (call, callback) => {
    served++;
    let received = 0;
    call.on("data", () => received++);
    call.on("end", () => callback(null, create(ClientStreamResponseSchema, clientStreamReply(received))));
  };
  const bidiStream: handleBidiStreamingCall<BidiStreamRequest, BidiStreamResponse> = (call) => {
    served++;
    call.on("data", (request: BidiStreamRequest) => {
      if (!call.write(create(BidiStreamResponseSchema, bidiReply(request)))) {
        call.pause();
        call.once("drain", () => call.resume());
      }
    });
    call.on("end", () => call.end());
  };
  const server = new Server();
  server.addService(testServiceGrpc, { unary, serverStream, clientStream, bidiStream });
  const port = await listen(server);
  return { port, served: () => served, stop: () => stopServer(server) };
}
