import { create } from "@bufbuild/protobuf";
import type { DescFile, MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "../errors.js";
import type { DescriptorPool } from "./descriptor-pool.js";
import { ServerReflectionResponseSchema } from "./gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflectionRequest, ServerReflectionResponse } from "./gen/grpc/reflection/v1/reflection_pb.js";

/** The `message_response` oneof of a response. */
type Answer = NonNullable<MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"]>;

/**
 * The response to one request of a reflection stream. `sent` holds the files already
 * sent on the stream: their descriptors are not repeated as dependencies. A request the
 * pool cannot answer gets an `error_response` with its gRPC code, and the stream goes on.
 */
export function answerRequest(pool: DescriptorPool, request: ServerReflectionRequest, sent: Set<string>): ServerReflectionResponse {
  return create(ServerReflectionResponseSchema, {
    validHost: request.host,
    originalRequest: request,
    messageResponse: answer(pool, request.messageRequest, sent),
  });
}

function answer(pool: DescriptorPool, asked: ServerReflectionRequest["messageRequest"], sent: Set<string>): Answer {
  const files = (file: DescFile | undefined, what: string): Answer =>
    file === undefined
      ? failure(Code.NOT_FOUND, `${what} not found`)
      : { case: "fileDescriptorResponse", value: { fileDescriptorProto: pool.withDependencies(file, sent) } };
  switch (asked.case) {
    case "fileByFilename":
      return files(pool.fileByName(asked.value), `file ${asked.value}`);
    case "fileContainingSymbol":
      return files(pool.fileContainingSymbol(asked.value), `symbol ${asked.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = asked.value;
      return files(pool.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of ${containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = pool.extensionNumbers(asked.value);
      return numbers === undefined
        ? failure(Code.NOT_FOUND, `message ${asked.value} not found`)
        : { case: "allExtensionNumbersResponse", value: { baseTypeName: asked.value, extensionNumber: [...numbers] } };
    }
    case "listServices":
      return { case: "listServicesResponse", value: { service: pool.services.map((name) => ({ name })) } };
    case undefined:
      return failure(Code.INVALID_ARGUMENT, "the request asks nothing: message_request is not set");
  }
}

function failure(code: Code, message: string): Answer {
  return { case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}
