import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { Client, Metadata, credentials, status } from "@grpc/grpc-js";
import type { ServiceError, StatusObject } from "@grpc/grpc-js";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BenchClient } from "./bench-peer.js";
import type { CallHooks, ClientHooks } from "./call-hooks.js";
import { testServiceGrpc as grpc } from "./grpc-definition.js";
import { streamRequest } from "./messages.js";

/**
 * A generic grpc-js Client: the least code a call can take. With `hooks` (the floor
 * variants), each call also tells them when it starts, sends, receives and ends.
 */
export function bareClient(address: string, hooks?: ClientHooks): BenchClient {
  const client = new Client(address, credentials.createInsecure());
  return {
    unary(payload) {
      const { path, requestSerialize, responseDeserialize } = grpc.unary;
      return new Promise((resolve, reject) => {
        const metadata = new Metadata();
        const observed = hooks?.start("unary", metadata);
        const call = client.makeUnaryRequest(
          path,
          requestSerialize,
          responseDeserialize,
          create(UnaryRequestSchema, { payload }),
          metadata,
          (err: ServiceError | null, response) => {
            if (err === null && response !== undefined) {
              observed?.received();
              observed?.end(status.OK, call.getPeer());
              resolve(response);
            } else {
              observed?.end(err?.code ?? status.INTERNAL, call.getPeer());
              reject(err ?? new Error("no response"));
            }
          },
        );
        observed?.sent();
      });
    },
    async serverStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.serverStream;
      const metadata = new Metadata();
      const observed = hooks?.start("serverStream", metadata);
      const call = client.makeServerStreamRequest(
        path,
        requestSerialize,
        responseDeserialize,
        create(ServerStreamRequestSchema, { count: messages }),
        metadata,
      );
      observed?.sent();
      endOn(call, observed);
      let read = 0;
      call.on("data", () => {
        read++;
        observed?.received();
      });
      await once(call, "end");
      return read;
    },
    clientStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.clientStream;
      return new Promise((resolve, reject) => {
        const metadata = new Metadata();
        const observed = hooks?.start("clientStream", metadata);
        // Metadata passed explicitly: with grpc-js's short form (no metadata argument)
        // instrumentation-grpc inserts its metadata after the callback and never ends
        // the call's client span.
        const call = client.makeClientStreamRequest(path, requestSerialize, responseDeserialize, metadata, (err: ServiceError | null, response) => {
          if (err === null && response !== undefined) {
            observed?.received();
            resolve(response.count);
          } else {
            reject(err ?? new Error("no response"));
          }
        });
        endOn(call, observed);
        void (async () => {
          for (let i = 0; i < messages; i++) {
            const written = call.write(create(ClientStreamRequestSchema, streamRequest(i)));
            observed?.sent();
            if (!written) {
              await once(call, "drain");
            }
          }
          call.end();
        })();
      });
    },
    async bidiStream(messages) {
      const { path, requestSerialize, responseDeserialize } = grpc.bidiStream;
      const metadata = new Metadata();
      const observed = hooks?.start("bidiStream", metadata);
      const call = client.makeBidiStreamRequest(path, requestSerialize, responseDeserialize, metadata);
      endOn(call, observed);
      let read = 0;
      call.on("data", () => {
        read++;
        observed?.received();
      });
      const ended = once(call, "end");
      for (let i = 0; i < messages; i++) {
        const written = call.write(create(BidiStreamRequestSchema, streamRequest(i)));
        observed?.sent();
        if (!written) {
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

/** A streaming call's hooks end with its status; bare grpc-js listens for none. */
function endOn(call: { getPeer(): string; on(event: "status", listener: (status: StatusObject) => void): unknown }, observed: CallHooks | undefined): void {
  if (observed !== undefined) {
    call.on("status", (s: StatusObject) => observed.end(s.code, call.getPeer()));
  }
}
