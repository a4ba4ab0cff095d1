import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";

/** Writes propagation headers into outgoing metadata, replacing any value the key had. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set(metadata, key, value) {
    metadata.set(key, value);
  },
};

/**
 * Reads propagation headers from incoming metadata. Repeated values of a key are
 * joined with commas, as HTTP joins repeated headers (and as `tracestate` and `baggage`
 * expect); binary (`-bin`) keys hold Buffers, which no text propagator reads.
 */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys(metadata) {
    return Object.keys(metadata.getMap()).filter((key) => !key.endsWith("-bin"));
  },
  get(metadata, key) {
    if (key.endsWith("-bin")) {
      return undefined;
    }
    const values = metadata.get(key);
    if (values.length === 0) {
      return undefined;
    }
    return values.length === 1 ? String(values[0]) : values.map(String).join(",");
  },
};
