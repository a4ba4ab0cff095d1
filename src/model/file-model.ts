import type { DescEnum, DescFile, DescMethod } from "@bufbuild/protobuf";
import type { MessageRef } from "./es-names.js";
import type { SpanAttributeModel, TelemetrySwitchesModel } from "./method-telemetry.js";
import type { MetricLabelModel } from "./metric-labels.js";
import type { MethodSloModel } from "./slo.js";

/** Everything the templates print for one proto file; no descriptors are walked after this. */
export interface FileModel {
  /** The proto file, for the preamble. */
  readonly file: DescFile;
  /** Output path without extension, e.g. `user/v1/user_otel`. */
  readonly outputPath: string;
  /** Module specifier of the runtime. */
  readonly runtimeImport: string;
  readonly services: readonly ServiceModel[];
  /** Number → value name tables for the enums lifted into span attributes. */
  readonly enumNames: readonly EnumNamesModel[];
  /** Number → label value index tables for the enums lifted into metric labels. */
  readonly labelIndexes: readonly EnumNamesModel[];
  /** Whether the `slo` parameter asks for rules and dashboards, and a method has objectives. */
  readonly hasSlo: boolean;
}

export interface EnumNamesModel {
  readonly desc: DescEnum;
  /** The table constant, e.g. `roleNames`. */
  readonly name: string;
  readonly values: readonly { readonly number: number; readonly name: string }[];
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
  readonly kind: DescMethod["methodKind"];
  /** Where the request and response messages' schema and shape are imported from. */
  readonly input: MessageRef;
  readonly output: MessageRef;
  readonly doc: string;
  /** Switches from the proto options that differ from the defaults. */
  readonly telemetry: TelemetrySwitchesModel;
  readonly spanAttributes: readonly SpanAttributeModel[];
  /** The extractor function, e.g. `getUserSpanAttributes`, when there are span attributes. */
  readonly spanAttributesName?: string | undefined;
  readonly metricLabels: readonly MetricLabelModel[];
  /** The label table constant, e.g. `orderServiceGetOrderMetricLabels`, when there are metric labels. */
  readonly metricLabelsName?: string | undefined;
  /** The method's objectives, when the `slo` parameter is on and it has any. */
  readonly slo?: MethodSloModel | undefined;
}
