import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BenchClient } from "./bench-peer.js";
import { testServiceGrpc as grpc } from "./grpc-definition.js";
import { streamRequest } from "./messages.js";

/** A generic grpc-js Client: the least code a call can take. */
export function bareClient(address: string): BenchClient {
  const client = new Client(address, credentials.createInsecure());
  return {
    unary(payload) {
      const { path, requestSerialize, responseDeserialize } = grpc.unary;
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          path,
          requestSerialize,
          responseDeserialize,
          create(UnaryRequestSchema, { payload }),
          (err: ServiceError | null, response) => {
            if (err === null && response !== undefined) {
              resolve(response.payload.length);
            } else {
              reject(err ?? new Error("no response"));
            }
          },
        );
      });
    },
    async serverStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.serverStream;
      const call = client.makeServerStreamRequest(
        path,
        requestSerialize,
        responseDeserialize,
        create(ServerStreamRequestSchema, { count: messages }),
      );
      let read = 0;
      call.on("data", () => read++);
      await once(call, "end");
      return read;
    },
    clientStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.clientStream;
      return new Promise((resolve, reject) => {
        // Metadata passed explicitly: with grpc-js's short form (no metadata argument)
        // instrumentation-grpc inserts its metadata after the callback and never ends
        // the call's client span.
        const call = client.makeClientStreamRequest(path, requestSerialize, responseDeserialize, new Metadata(), (err: ServiceError | null, response) => {
          if (err === null && response !== undefined) {
            resolve(response.count);
          } else {
            reject(err ?? new Error("no response"));
          }
        });
        void (async () => {
          for (let i = 0; i < messages; i++) {
            if (!call.write(create(ClientStreamRequestSchema, streamRequest(i)))) {
              await once(call, "drain");
            }
          }
          call.end();
        })();
      });
    },
    async bidiStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.bidiStream;
      const call = client.makeBidiStreamRequest(path, requestSerialize, responseDeserialize);
      let read = 0;
      call.on("data", () => read++);
      const ended = once(call, "end");
      for (let i = 0; i < messages; i++) {
        if (!call.write(create(BidiStreamRequestSchema, streamRequest(i)))) {
          await once(call, "drain");
        }
      }
      call.end();
      await ended;
      return read;
    },
    close: () => client.close(),
  };
}
