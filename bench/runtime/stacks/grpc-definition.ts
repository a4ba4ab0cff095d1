// TestService as a plain grpc-js service definition with the same protobuf-es codecs
// the generated code uses (toBinary/fromBinary, no copies), for bare grpc-js: the floor.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition as GrpcMethodDefinition } from "@grpc/grpc-js";
import type { MethodDefinition, MethodKind } from "protoc-gen-ts-otel-runtime";
import { TestServiceDefinition } from "./messages.js";

function grpcMethod<I extends DescMessage, O extends DescMessage>(
  member: string,
  method: MethodDefinition<MethodKind, I, O>,
): GrpcMethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path: method.path,
    requestStream: method.kind === "client_streaming" || method.kind === "bidi_streaming",
    responseStream: method.kind === "server_streaming" || method.kind === "bidi_streaming",
    requestSerialize: (message) => asBuffer(toBinary(method.input, message)),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: (message) => asBuffer(toBinary(method.output, message)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    originalName: member,
  };
}

// A Buffer view of the serialized bytes, as the generated code hands grpc-js.
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const methods = TestServiceDefinition.methods;

export const testServiceGrpc = {
  unary: grpcMethod("unary", methods.unary),
  serverStream: grpcMethod("serverStream", methods.serverStream),
  clientStream: grpcMethod("clientStream", methods.clientStream),
  bidiStream: grpcMethod("bidiStream", methods.bidiStream),
};
