import type { DescFile, DescMessage } from "@bufbuild/protobuf";
import type { MethodKind } from "../runtime/service.js";

/** Everything the templates print for one proto file; no descriptors are walked after this. */
export interface FileModel {
  /** The proto file, for the preamble. */
  readonly file: DescFile;
  /** Output path without extension, e.g. `user/v1/user_otel`. */
  readonly outputPath: string;
  /** Module specifier of the runtime. */
  readonly runtimeImport: string;
  readonly services: readonly ServiceModel[];
}

export interface ServiceModel {
  /** `user.v1.UserService` */
  readonly typeName: string;
  /** The method table constant, e.g. `UserServiceDefinition`. */
  readonly tableName: string;
  /** e.g. `UserServiceHandlers` */
  readonly handlersName: string;
  /** e.g. `UserServiceClient` */
  readonly clientName: string;
  /** e.g. `addUserService` */
  readonly addName: string;
  readonly tableDoc: string;
  readonly handlersDoc: string;
  readonly clientDoc: string;
  readonly addDoc: string;
  readonly methods: readonly MethodModel[];
}

export interface MethodModel {
  /** The name in the proto file, e.g. `GetUser`. */
  readonly name: string;
  /** The member name in the table, the handler interface and the client, e.g. `getUser`. */
  readonly member: string;
  readonly kind: MethodKind;
  /** Message descriptors, used only to import their generated schema and shape. */
  readonly input: DescMessage;
  readonly output: DescMessage;
  readonly doc: string;
}
