import type { DescEnum, DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import type { Slo, TelemetrySwitches } from "../gen/tsotel/v1/options_pb.js";
import type { DocComments } from "./doc.js";
import type { EsNames } from "./es-names.js";
import type { EnumNamesModel, FileModel, MethodModel, ServiceModel } from "./file-model.js";
import { methodTelemetry, serviceSwitches, spanAttributes, telemetrySwitches } from "./method-telemetry.js";
import { metricLabels } from "./metric-labels.js";
import { checkSloDeclaration, declarationSite, methodSlo } from "./slo.js";
import type { MethodSloModel } from "./slo.js";
import { lowerFirst, memberScope, topLevelScope } from "./names.js";
import type { NameScope } from "./names.js";
import { PluginError } from "./plugin-error.js";
import type { PluginOptions } from "./plugin-options.js";

/** Suffix of generated files: `user/v1/user.proto` → `user/v1/user_otel.ts`. */
export const OUTPUT_SUFFIX = "_otel";

/**
 * The view model of one proto file, validated: every problem found is reported at
 * once as a PluginError. A file without services yields a model with none, which
 * prints as a preamble only: the plugin drops such a file unless `keep_empty_files`
 * is set.
 */
export function buildFileModel(file: DescFile, options: PluginOptions, names: EsNames, docs: DocComments): FileModel {
  const builder = new FileModelBuilder(names, docs, options);
  builder.checkUnique(file.services.map((s) => s.name), `${file.name}.proto`, "service");
  const services = file.services.map((service) => builder.service(service));
  if (builder.problems.length > 0) {
    throw new PluginError(builder.problems);
  }
  return {
    file,
    outputPath: file.name + OUTPUT_SUFFIX,
    runtimeImport: options.runtimeImport,
    services,
    enumNames: [...builder.enumNames.values()],
    labelIndexes: [...builder.labelIndexes.values()],
    hasSlo: services.some((s) => s.methods.some((m) => m.slo !== undefined)),
  };
}

class FileModelBuilder {
  readonly problems: string[] = [];
  readonly enumNames = new Map<DescEnum, EnumNamesModel>();
  readonly labelIndexes = new Map<DescEnum, EnumNamesModel>();
  private readonly scope: NameScope = topLevelScope();

  constructor(
    private readonly names: EsNames,
    private readonly docs: DocComments,
    private readonly options: PluginOptions,
  ) {}

  service(service: DescService): ServiceModel {
    this.checkIdentifier(service.name, `${service.file.name}.proto: service "${service.typeName}"`);
    for (const method of service.methods) {
      this.checkIdentifier(method.name, `${service.file.name}.proto: rpc "${service.typeName}.${method.name}"`);
    }
    this.checkUnique(service.methods.map((m) => m.name), `${service.file.name}.proto: service ${service.typeName}`, "rpc");
    // Not the bare service name: protoc-gen-es exports that (a GenService) from the
    // _pb file, and a module re-exporting both would be ambiguous.
    const tableName = this.scope.claim(`${service.name}Definition`);
    const handlersName = this.scope.claim(`${service.name}Handlers`);
    const clientName = this.scope.claim(`${service.name}Client`);
    const addName = this.scope.claim(`add${service.name}`);
    const members = memberScope();
    const inherited = serviceSwitches(service);
    const inheritedSlo = this.serviceSlo(service, inherited);
    const methods = service.methods.map((method) => this.method(method, members.claim(lowerFirst(method.name)), inherited, inheritedSlo));
    const name = service.typeName;
    return {
      typeName: name,
      tableName,
      handlersName,
      clientName,
      addName,
      tableDoc: this.docs.docText(service, `The methods of ${name}: names, call kinds and message schemas.`),
      handlersDoc: this.docs.docText(service, `The handlers of ${name}; register them with \`${addName}()\`.`),
      clientDoc: this.docs.docText(service, `A client of ${name}.`),
      addDoc: this.docs.docText(
        service,
        `Serves ${name} on a grpc-js server with the given handlers. A handler missing at run time answers UNIMPLEMENTED.`,
      ),
      methods,
    };
  }

  private method(method: DescMethod, member: string, inherited: TelemetrySwitches | undefined, inheritedSlo: Slo | undefined): MethodModel {
    const own = methodTelemetry(method);
    const attributes = spanAttributes(method, own, this.names, this.problems);
    for (const attribute of attributes) {
      if (typeof attribute.convert === "object") {
        this.enumTable(this.enumNames, attribute.convert.enum, "Names");
      }
    }
    const telemetry = telemetrySwitches(own, inherited);
    const metricsOn = telemetry.metrics !== false;
    const labels = metricLabels(method, own?.metricLabels ?? [], metricsOn, this.names, this.problems);
    for (const label of labels) {
      if (label.kind !== "bool") {
        this.enumTable(this.labelIndexes, label.kind.enum, "LabelIndexes");
      }
    }
    return {
      name: method.name,
      member,
      kind: method.methodKind,
      input: this.names.ref(method.input),
      output: this.names.ref(method.output),
      doc: this.docs.docText(method),
      telemetry,
      spanAttributes: attributes,
      spanAttributesName:
        attributes.length === 0
          ? undefined
          : this.scope.claim(`${lowerFirst(method.parent.name)}${method.name}SpanAttributes`),
      metricLabels: labels,
      metricLabelsName: labels.length === 0 ? undefined : this.scope.claim(`${lowerFirst(method.parent.name)}${method.name}MetricLabels`),
      slo: this.methodSlo(method, own?.slo, inheritedSlo, metricsOn),
    };
  }

  /**
   * The service's `slo`, checked, when the `slo` parameter asks for rules; undefined
   * when it has none or it has problems (pushed, once for all its methods).
   */
  private serviceSlo(service: DescService, switches: TelemetrySwitches | undefined): Slo | undefined {
    const slo = switches?.slo;
    if (!this.options.slo || slo === undefined) {
      return undefined;
    }
    const where = declarationSite(service);
    if (!checkSloDeclaration(slo, where, this.options.sloBuckets, this.problems)) {
      return undefined;
    }
    if (switches?.metrics === false && slo.disabled !== true && service.methods.every((m) => methodTelemetry(m)?.metrics !== true)) {
      this.problems.push(`${where}: slo objectives read the methods' metrics, but the service turns metrics off; turn them on or remove the objectives`);
      return undefined;
    }
    return slo;
  }

  private methodSlo(method: DescMethod, own: Slo | undefined, inherited: Slo | undefined, metricsOn: boolean): MethodSloModel | undefined {
    if (!this.options.slo) {
      return undefined;
    }
    if (own !== undefined && !checkSloDeclaration(own, declarationSite(method), this.options.sloBuckets, this.problems)) {
      return undefined;
    }
    return methodSlo(method, own, inherited, metricsOn, this.problems);
  }

  // protoc and buf never send such names; a hand-made request can, and printing them
  // would make code that does not compile.
  private checkIdentifier(name: string, where: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      this.problems.push(`${where}: the name is not a protobuf identifier (letters, digits, underscores; not starting with a digit)`);
    }
  }

  checkUnique(names: readonly string[], where: string, what: string): void {
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    for (const name of new Set(twice)) {
      this.problems.push(`${where}: ${what} "${name}" is defined more than once; names must be unique`);
    }
  }

  /** A number-keyed table of an enum in `tables`, made once per file, named after the enum and `suffix`. */
  private enumTable(tables: Map<DescEnum, EnumNamesModel>, desc: DescEnum, suffix: string): void {
    if (!tables.has(desc)) {
      tables.set(desc, {
        desc,
        name: this.scope.claim(`${lowerFirst(desc.name)}${suffix}`),
        // With allow_alias several names share a number; the first one names it.
        values: desc.values.filter((v, i) => desc.values.findIndex((w) => w.number === v.number) === i),
      });
    }
  }
}
