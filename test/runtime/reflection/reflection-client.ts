// An independent reflection client: plain grpc-js with proto-loader on the reflection
// .proto files that @grpc/reflection ships, and protobufjs's descriptor module to decode
// the FileDescriptorProtos it gets. Nothing of @bufbuild/protobuf is used, so the
// server's encoding is checked by another implementation of protobuf.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Client, credentials } from "@grpc/grpc-js";
import type { ClientDuplexStream, MethodDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { FileDescriptorProto } from "protobufjs/ext/descriptor/index.js";

const require = createRequire(import.meta.url);

/** The reflection .proto files of @grpc/reflection (grpc/reflection/v1{,alpha}/reflection.proto). */
export const reflectionProtoDir = join(dirname(require.resolve("@grpc/reflection/package.json")), "build/proto");

export type ReflectionVersion = "v1" | "v1alpha";

/** A request as proto-loader takes it (keepCase): exactly one of the request fields. */
export type ReflectionRequest =
  | { file_by_filename: string }
  | { file_containing_symbol: string }
  | { file_containing_extension: { containing_type: string; extension_number: number } }
  | { all_extension_numbers_of_type: string }
  | { list_services: string }
  | Record<string, never>;

/** A response as proto-loader gives it (keepCase, oneofs: the case's name in `message_response`). */
export interface ReflectionResponse {
  valid_host: string;
  original_request: Record<string, unknown> | null;
  message_response?: "file_descriptor_response" | "all_extension_numbers_response" | "list_services_response" | "error_response";
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

const definition = loadSync(["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"], {
  includeDirs: [reflectionProtoDir],
  keepCase: true,
  oneofs: true,
  defaults: true,
});

function methodOf(version: ReflectionVersion): MethodDefinition<ReflectionRequest, ReflectionResponse> {
  const service = definition[`grpc.reflection.${version}.ServerReflection`] as Record<string, MethodDefinition<ReflectionRequest, ReflectionResponse>> | undefined;
  const method = service?.["ServerReflectionInfo"];
  if (method === undefined) throw new Error(`proto-loader did not load grpc.reflection.${version}.ServerReflection`);
  return method;
}

/** One ServerReflectionInfo stream: `ask` sends a request and resolves with its response. */
export class ReflectionStream {
  private readonly client: Client;
  private readonly call: ClientDuplexStream<ReflectionRequest, ReflectionResponse>;
  private readonly waiting: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private readonly status: Promise<number>;

  constructor(address: string, version: ReflectionVersion) {
    this.client = new Client(address, credentials.createInsecure());
    const method = methodOf(version);
    this.call = this.client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize);
    this.status = new Promise<number>((resolve) => this.call.on("status", (s: { code: number }) => resolve(s.code)));
    this.call.on("data", (response: ReflectionResponse) => this.waiting.shift()?.resolve(response));
    this.call.on("error", (err: Error) => {
      this.failure = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    });
  }

  ask(request: ReflectionRequest): Promise<ReflectionResponse> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const answer = new Promise<ReflectionResponse>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.call.write(request);
    return answer;
  }

  /** Half-closes the stream and waits for its status (again: the same status). */
  async close(): Promise<number> {
    this.call.end();
    const code = await this.status;
    this.client.close();
    return code;
  }
}

/** A FileDescriptorProto as protobufjs decodes it, narrowed to what the tests read. */
export interface DecodedFile {
  name: string;
  package?: string;
  dependency?: string[];
  messageType?: DecodedMessage[];
  enumType?: { name: string; value?: { name: string; number: number }[] }[];
  service?: { name: string; method?: { name: string; inputType: string; outputType: string; clientStreaming?: boolean; serverStreaming?: boolean }[] }[];
  extension?: DecodedField[];
}

export interface DecodedMessage {
  name: string;
  field?: DecodedField[];
  nestedType?: DecodedMessage[];
}

export interface DecodedField {
  name: string;
  number: number;
  label?: string;
  type?: string;
  typeName?: string;
  extendee?: string;
}

/** Decodes a FileDescriptorProto with protobufjs (enums by name, no defaults). */
export function decodeFile(bytes: Uint8Array): DecodedFile {
  return FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { enums: String }) as DecodedFile;
}

/** The files of a file_descriptor_response, decoded; throws with the error if the response is another. */
export function filesOf(response: ReflectionResponse): DecodedFile[] {
  if (response.message_response !== "file_descriptor_response" || response.file_descriptor_response === undefined) {
    throw new Error(`expected a file_descriptor_response, got ${JSON.stringify(response.error_response ?? response.message_response)}`);
  }
  return response.file_descriptor_response.file_descriptor_proto.map(decodeFile);
}

/** A message of `files` by its fully-qualified name (nested ones too). */
export function findMessage(files: readonly DecodedFile[], typeName: string): DecodedMessage | undefined {
  for (const file of files) {
    const prefix = file.package === undefined || file.package === "" ? "" : `${file.package}.`;
    const found = findIn(file.messageType ?? [], prefix, typeName);
    if (found !== undefined) return found;
  }
  return undefined;
}

function findIn(messages: readonly DecodedMessage[], prefix: string, typeName: string): DecodedMessage | undefined {
  for (const message of messages) {
    const name = prefix + message.name;
    if (name === typeName) return message;
    const nested = findIn(message.nestedType ?? [], `${name}.`, typeName);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
