import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { Server, status } from "@grpc/grpc-js";
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
} from "@grpc/grpc-js";
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
import type { CallHooks, MethodName, ServerCallInfo, ServerHooks } from "./call-hooks.js";
import { testServiceGrpc } from "./grpc-definition.js";
import { listen, stopServer } from "./grpc-server.js";
import { bidiReply, clientStreamReply, streamItem, unaryReply } from "./messages.js";

/**
 * Plain grpc-js handlers, honouring backpressure as the generated ones do. With `hooks`
 * (the floor variants), each handler runs as they run it and tells them what it sends,
 * receives and how it ends.
 */
export async function bareServer(hooks?: ServerHooks): Promise<BenchServer> {
  let served = 0;
  const run = (method: MethodName, call: ServerCallInfo, handler: (observed: CallHooks | undefined) => void): void => {
    if (hooks === undefined) {
      handler(undefined);
    } else {
      hooks.handle(method, call, handler);
    }
  };
  const unary: handleUnaryCall<UnaryRequest, UnaryResponse> = (call, callback) => {
    served++;
    run("unary", call, (observed) => {
      observed?.received();
      callback(null, create(UnaryResponseSchema, unaryReply(call.request)));
      observed?.sent();
      observed?.end(status.OK);
    });
  };
  const serverStream: handleServerStreamingCall<ServerStreamRequest, ServerStreamResponse> = (call) => {
    served++;
    run("serverStream", call, (observed) => {
      observed?.received();
      void (async () => {
        for (let i = 0; i < call.request.count; i++) {
          const written = call.write(create(ServerStreamResponseSchema, streamItem(i)));
          observed?.sent();
          if (!written) {
            await once(call, "drain");
          }
        }
        call.end();
        observed?.end(status.OK);
      })();
    });
  };
  const clientStream: handleClientStreamingCall<ClientStreamRequest, ClientStreamResponse> = (call, callback) => {
    served++;
    run("clientStream", call, (observed) => {
      let received = 0;
      call.on("data", () => {
        received++;
        observed?.received();
      });
      call.on("end", () => {
        callback(null, create(ClientStreamResponseSchema, clientStreamReply(received)));
        observed?.sent();
        observed?.end(status.OK);
      });
    });
  };
  const bidiStream: handleBidiStreamingCall<BidiStreamRequest, BidiStreamResponse> = (call) => {
    served++;
    run("bidiStream", call, (observed) => {
      call.on("data", (request: BidiStreamRequest) => {
        observed?.received();
        const written = call.write(create(BidiStreamResponseSchema, bidiReply(request)));
        observed?.sent();
        if (!written) {
          call.pause();
          call.once("drain", () => call.resume());
        }
      });
      call.on("end", () => {
        call.end();
        observed?.end(status.OK);
      });
    });
  };
  const server = new Server();
  server.addService(testServiceGrpc, { unary, serverStream, clientStream, bidiStream });
  const port = await listen(server);
  return { port, served: () => served, stop: () => stopServer(server) };
}
