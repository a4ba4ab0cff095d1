import { getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { method as methodOption, service as serviceOption } from "../gen/tsotel/v1/options_pb.js";
import type { MethodTelemetry, SpanAttribute, TelemetrySwitches } from "../gen/tsotel/v1/options_pb.js";
import type { EsNames, MessageRef } from "./es-names.js";

/** The telemetry switches of one method that differ from the defaults. */
export interface TelemetrySwitchesModel {
  readonly tracing?: false;
  readonly metrics?: false;
  readonly messageEvents?: true;
}

/** How to reach a lifted field from the request. */
export type FieldStep =
  /** A message-typed field: may be unset. */
  | { readonly kind: "message"; readonly property: string }
  /** A field in a oneof group: set only when the group's case is this field. */
  | { readonly kind: "oneof"; readonly group: string; readonly member: string }
  /**
   * A scalar or enum field outside oneofs, and how to tell whether it is set:
   * always (implicit presence), `!== undefined` (proto3 `optional`, typed `?:`), or
   * `isFieldSet` with the containing message's schema (proto2 and editions explicit
   * presence, where an unset field reads as its default).
   */
  | {
      readonly kind: "field";
      readonly property: string;
      readonly presence: "always" | "undefined" | { readonly isFieldSet: MessageRef };
    };

/** One request field lifted into a span attribute. */
export interface SpanAttributeModel {
  readonly name: string;
  readonly steps: readonly FieldStep[];
  /** How the value becomes an attribute value. */
  readonly convert: "none" | "string" | { readonly enum: DescEnum };
}

/** Attribute namespaces the runtime sets itself. */
export const RESERVED_NAMESPACES: readonly string[] = ["rpc", "server", "network", "error", "net"];
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const INT64_TYPES = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

/**
 * The switches of a method: its own where set, else its service's. `own` and
 * `inherited` are as `methodTelemetry` and `serviceSwitches` decode them.
 */
export function telemetrySwitches(own: MethodTelemetry | undefined, inherited: TelemetrySwitches | undefined): TelemetrySwitchesModel {
  const tracing = own?.tracing ?? inherited?.tracing ?? true;
  const metrics = own?.metrics ?? inherited?.metrics ?? true;
  const messageEvents = own?.messageEvents ?? inherited?.messageEvents ?? false;
  return {
    ...(tracing ? {} : { tracing: false }),
    ...(metrics ? {} : { metrics: false }),
    ...(messageEvents ? { messageEvents: true } : {}),
  };
}

// getOption decodes the option and builds a message on every call, also for an
// option that is not set, as on most methods; hasOption only looks for the field.
// Callers decode once per method and once per service.

/** The method's `(tsotel.v1.method)` option, or undefined when unset. */
export function methodTelemetry(method: DescMethod): MethodTelemetry | undefined {
  return hasOption(method, methodOption) ? getOption(method, methodOption) : undefined;
}

/** The service's `(tsotel.v1.service)` option, or undefined when unset. */
export function serviceSwitches(service: DescService): TelemetrySwitches | undefined {
  return hasOption(service, serviceOption) ? getOption(service, serviceOption) : undefined;
}

/**
 * The span attributes a method lifts from its request (`own` is its decoded option), validated. Problems are
 * pushed to `problems`, one line each naming the file, the element and the fix.
 */
export function spanAttributes(
  method: DescMethod,
  own: MethodTelemetry | undefined,
  names: EsNames,
  problems: string[],
): SpanAttributeModel[] {
  const declared = own?.spanAttributes ?? [];
  if (declared.length === 0) {
    return [];
  }
  const where = `${method.parent.file.name}.proto: rpc ${method.parent.typeName}.${method.name}`;
  if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") {
    problems.push(
      `${where}: span_attributes need a single request, but this method takes a stream; remove them or lift the fields on a unary or server-streaming method`,
    );
    return [];
  }
  const seen = new Set<string>();
  const models: SpanAttributeModel[] = [];
  for (const attribute of declared) {
    const model = spanAttribute(attribute, method.input, names, `${where}: span attribute "${attribute.name}"`, problems);
    if (seen.has(attribute.name)) {
      problems.push(`${where}: span attribute "${attribute.name}" is declared twice; keep one`);
      continue;
    }
    seen.add(attribute.name);
    if (model !== undefined) {
      models.push(model);
    }
  }
  return models;
}

function spanAttribute(
  attribute: SpanAttribute,
  input: DescMessage,
  names: EsNames,
  where: string,
  problems: string[],
): SpanAttributeModel | undefined {
  if (!checkAttributeName(attribute.name, RESERVED_NAMESPACES, where, problems)) {
    return undefined;
  }
  const found = requestField(input, attribute.field, "span attribute", names, where, problems);
  if (found === undefined) {
    return undefined;
  }
  const { field, steps } = found;
  const refusal = refuseValueField(field);
  if (refusal !== undefined) {
    problems.push(`${where}: field ${field.parent.typeName}.${field.name} ${refusal}; lift a scalar or enum field instead`);
    return undefined;
  }
  return { name: attribute.name, steps, convert: conversion(field) };
}

/**
 * Whether `name` is a valid attribute name outside the `reserved` namespaces; pushes
 * the problem when it is not.
 */
export function checkAttributeName(name: string, reserved: readonly string[], where: string, problems: string[]): boolean {
  const namespace = name.split(".")[0] ?? "";
  if (!ATTRIBUTE_NAME.test(name)) {
    problems.push(
      `${where}: not a valid attribute name; use lowercase letters, digits and underscores in dot-separated parts, e.g. "user.id"`,
    );
    return false;
  }
  if (reserved.includes(namespace)) {
    problems.push(`${where}: the "${namespace}.*" attributes are set by the runtime; choose a name outside ${reserved.map((n) => `${n}.*`).join(", ")}`);
    return false;
  }
  return true;
}

/**
 * The request field at `path` ("user_id", or "filter.region" into nested messages) that a
 * span attribute or metric label reads, and the steps that reach it, or undefined after pushing why it cannot be read: no such
 * field, a path through a field that is not a message, a field marked debug_redact.
 */
export function requestField(
  input: DescMessage,
  path: string,
  what: "span attribute" | "metric label",
  names: EsNames,
  where: string,
  problems: string[],
): { readonly field: DescField; readonly steps: readonly FieldStep[] } | undefined {
  const steps: FieldStep[] = [];
  let message = input;
  const parts = path.split(".");
  for (const [i, name] of parts.entries()) {
    const field = message.fields.find((f) => f.name === name);
    if (field === undefined) {
      const known = message.fields.map((f) => f.name).join(", ");
      problems.push(`${where}: ${message.typeName} has no field "${name}"; its fields are: ${known === "" ? "(none)" : known}`);
      return undefined;
    }
    if (field.proto.options?.debugRedact === true) {
      problems.push(`${where}: field ${field.parent.typeName}.${field.name} is marked debug_redact; a redacted field never becomes ${what === "span attribute" ? "an attribute" : "a label"}, so remove the ${what}`);
      return undefined;
    }
    steps.push(stepTo(field, names));
    if (i === parts.length - 1) {
      return { field, steps };
    }
    if (field.fieldKind !== "message") {
      problems.push(`${where}: field ${field.parent.typeName}.${field.name} is not a message, so "${path}" cannot go through it`);
      return undefined;
    }
    message = field.message;
  }
  problems.push(`${where}: no field given; set field to the request field's name, e.g. "user_id"`);
  return undefined;
}

function stepTo(field: DescField, names: EsNames): FieldStep {
  if (field.oneof !== undefined) {
    return { kind: "oneof", group: field.oneof.localName, member: field.localName };
  }
  if (field.fieldKind === "message") {
    return { kind: "message", property: field.localName };
  }
  const presence =
    field.presence === FeatureSet_FieldPresence.IMPLICIT
      ? "always"
      : field.proto.proto3Optional
        ? "undefined"
        : { isFieldSet: names.ref(field.parent) };
  return { kind: "field", property: field.localName, presence };
}

function refuseValueField(field: DescField): string | undefined {
  if (field.fieldKind === "scalar") {
    return field.scalar === ScalarType.BYTES ? "is bytes" : undefined;
  }
  return field.fieldKind === "enum" ? undefined : refuseContainer(field);
}

/** Why a message, map or repeated field holds no single value a span attribute or metric label could take. */
export function refuseContainer(field: DescField): string | undefined {
  switch (field.fieldKind) {
    case "message":
      return "is a message";
    case "map":
      return "is a map";
    case "list":
      return "is repeated";
    default:
      return undefined;
  }
}

function conversion(field: DescField): SpanAttributeModel["convert"] {
  if (field.fieldKind === "enum") {
    return { enum: field.enum };
  }
  if (field.fieldKind === "scalar" && INT64_TYPES.has(field.scalar)) {
    return "string";
  }
  return "none";
}
