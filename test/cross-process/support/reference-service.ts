// tsotel.testing.v1.TestService as a plain grpc-js user describes it by hand: a
// ServiceDefinition (keys and originalName as @grpc/proto-loader makes them) whose
// (de)serializers are protobuf-es's toBinary/fromBinary with the generated schemas.
// What the reference peers of the conformance suite serve and call.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import {
  BidiStreamRequestSchema,
  BidiStreamResponseSchema,
  ClientStreamRequestSchema,
  ClientStreamResponseSchema,
  ServerStreamRequestSchema,
  ServerStreamResponseSchema,
  UnaryRequestSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { Kind } from "./conformance-scenarios.js";

const serialize =
  <D extends DescMessage>(schema: D) =>
  (message: MessageShape<D>): Buffer =>
    Buffer.from(toBinary(schema, message));
const deserialize =
  <D extends DescMessage>(schema: D) =>
  (bytes: Buffer): MessageShape<D> =>
    fromBinary(schema, bytes);

function method<I extends DescMessage, O extends DescMessage>(
  name: Kind,
  input: I,
  output: O,
  requestStream: boolean,
  responseStream: boolean,
): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path: `/tsotel.testing.v1.TestService/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize(input),
    requestDeserialize: deserialize(input),
    responseSerialize: serialize(output),
    responseDeserialize: deserialize(output),
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

export const referenceMethods = {
  Unary: method("Unary", UnaryRequestSchema, UnaryResponseSchema, false, false),
  ServerStream: method("ServerStream", ServerStreamRequestSchema, ServerStreamResponseSchema, false, true),
  ClientStream: method("ClientStream", ClientStreamRequestSchema, ClientStreamResponseSchema, true, false),
  BidiStream: method("BidiStream", BidiStreamRequestSchema, BidiStreamResponseSchema, true, true),
};

export const referenceService: ServiceDefinition = referenceMethods;

/** A (de)serializer that moves bytes as they are: the reference client's way to send what does not parse. */
export const passThrough = (bytes: Buffer): Buffer => bytes;
