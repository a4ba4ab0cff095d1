// TestService as a nice-grpc service definition with the protobuf-es codecs, as a
// protobuf-es user of nice-grpc would write it (nice-grpc copies into Buffers itself).
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition as NiceMethodDefinition } from "nice-grpc";
import type { MethodDefinition, MethodKind } from "protoc-gen-ts-otel-runtime";
import { TestServiceDefinition } from "./messages.js";

function niceMethod<I extends DescMessage, O extends DescMessage, RequestStream extends boolean, ResponseStream extends boolean>(
  method: MethodDefinition<MethodKind, I, O>,
  requestStream: RequestStream,
  responseStream: ResponseStream,
): NiceMethodDefinition<MessageShape<I>, MessageShape<I>, MessageShape<O>, MessageShape<O>, RequestStream, ResponseStream> {
  return {
    path: method.path,
    requestStream,
    responseStream,
    requestSerialize: (message) => toBinary(method.input, message),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: (message) => toBinary(method.output, message),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    options: {},
  };
}

const methods = TestServiceDefinition.methods;

export const testServiceNice = {
  unary: niceMethod(methods.unary, false, false),
  serverStream: niceMethod(methods.serverStream, false, true),
  clientStream: niceMethod(methods.clientStream, true, false),
  bidiStream: niceMethod(methods.bidiStream, true, true),
};
