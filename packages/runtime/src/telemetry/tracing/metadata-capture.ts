import type { Attributes } from "@opentelemetry/api";
import type { Metadata, MetadataValue } from "@grpc/grpc-js";
import { metadataAttributeNames } from "../attributes.js";
import type { Conventions } from "../attributes.js";

/**
 * Turns the values of allow-listed metadata keys into span attributes (string arrays,
 * `-bin` values in base64). Only keys on the list are ever read: metadata values are
 * otherwise never recorded (docs/telemetry.md#cardinality-and-privacy).
 */
export class MetadataCapture {
  private readonly keys: readonly { readonly key: string; readonly names: readonly string[] }[];

  constructor(allowList: readonly string[], direction: "request" | "response", conventions: Conventions) {
    // grpc-js keeps keys in lowercase; the list may be written in any case.
    const keys = [...new Set(allowList.map((key) => key.toLowerCase()))];
    this.keys = keys.map((key) => ({ key, names: metadataAttributeNames(key, direction, conventions) }));
  }

  get isEmpty(): boolean {
    return this.keys.length === 0;
  }

  /** The attributes for the listed keys present in any of `sources` (headers, then trailers). */
  attributes(...sources: readonly (Metadata | undefined)[]): Attributes {
    const attributes: Attributes = {};
    for (const { key, names } of this.keys) {
      const values = sources.flatMap((metadata) => (metadata === undefined ? [] : metadata.get(key).map(text)));
      if (values.length > 0) {
        for (const name of names) {
          attributes[name] = values;
        }
      }
    }
    return attributes;
  }
}

function text(value: MetadataValue): string {
  return typeof value === "string" ? value : value.toString("base64");
}
