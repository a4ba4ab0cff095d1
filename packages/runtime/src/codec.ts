import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, RpcError, errorMessage } from "./errors.js";

/** The message for an init object (a message is returned as it is); INTERNAL naming the type if it is not one. */
export function createMessage<D extends DescMessage>(schema: D, value: MessageInitShape<D>): MessageShape<D> {
  try {
    return create(schema, value);
  } catch (err) {
    throw new RpcError(Code.INTERNAL, `cannot create ${schema.typeName}: ${errorMessage(err)}`, undefined, { cause: err });
  }
}

/** Serializes a message, or an init object for one, into the Buffer grpc-js writes. */
export function serializeMessage<D extends DescMessage>(schema: D, value: MessageInitShape<D>): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = toBinary(schema, create(schema, value));
  } catch (err) {
    throw new RpcError(Code.INTERNAL, `cannot serialize ${schema.typeName}: ${errorMessage(err)}`, undefined, {
      cause: err,
    });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses bytes off the wire; a malformed message is an INTERNAL error naming the type. */
export function parseMessage<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  try {
    // A plain Uint8Array view of grpc-js's Buffer: `bytes` fields are subarrays of the
    // input, and users should get the Uint8Array the types promise, not Buffers.
    return fromBinary(schema, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new RpcError(Code.INTERNAL, `cannot parse ${schema.typeName}: ${errorMessage(err)}`, undefined, {
      cause: err,
    });
  }
}

/** grpc-js (de)serializer that hands the bytes through: we (de)serialize ourselves to know sizes. */
export function passThrough(bytes: Buffer): Buffer {
  return bytes;
}
