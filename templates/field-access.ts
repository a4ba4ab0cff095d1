import { imported, schemaValue } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { FieldStep } from "../src/model/method-telemetry.js";

/**
 * Walks a field path from `request`: every step that may be unset adds a guard, and
 * TypeScript narrows the later property accesses through them. A field with explicit
 * presence (proto2, editions) is guarded with `isFieldSet` where an unset field must be
 * told apart (`"guard"`); where its default is what counts (`"default"`) it is read as
 * is, since protobuf-es reads an unset one as its default.
 */
export function fieldAccess(f: GeneratedFile, steps: readonly FieldStep[], explicitPresence: "guard" | "default"): { guards: Printable[]; value: string } {
  const guards: Printable[] = [];
  let value = "request";
  for (const step of steps) {
    switch (step.kind) {
      case "message":
        value = `${value}.${step.property}`;
        guards.push(`${value} !== undefined`);
        break;
      case "oneof":
        guards.push([`${value}.${step.group}.case === `, f.string(step.member)]);
        value = `${value}.${step.group}.value`;
        break;
      case "field": {
        const parent = value;
        value = `${value}.${step.property}`;
        if (step.presence === "undefined") {
          guards.push(`${value} !== undefined`);
        } else if (step.presence !== "always" && explicitPresence === "guard") {
          const isFieldSet = imported(f, "isFieldSet", "@bufbuild/protobuf");
          guards.push([isFieldSet, "(", parent, ", ", schemaValue(f, step.presence.isFieldSet), ".field.", step.property, ")"]);
        }
        break;
      }
    }
  }
  return { guards, value };
}

export function join(items: readonly Printable[], separator: string): Printable[] {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}
