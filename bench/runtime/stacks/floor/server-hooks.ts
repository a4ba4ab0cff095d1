import { ROOT_CONTEXT, context, propagation, trace } from "@opentelemetry/api";
import type { TextMapGetter } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import type { ServerHooks } from "../call-hooks.js";
import { FloorSide, PeerAttributes, floorMethods } from "./floor-method.js";
import type { FloorParts } from "./floor-method.js";

const getter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key);
    return values.length === 0 ? undefined : String(values[0]);
  },
};

/**
 * The floor's server side: a SERVER span per call, the child of what the request
 * metadata carries, with the handler run in its context.
 */
export function floorServerHooks(parts: FloorParts): ServerHooks {
  const side = new FloorSide("server", parts);
  const floor = floorMethods(side, {});
  const peers = new PeerAttributes();
  return {
    handle(name, call, handler) {
      const method = floor[name];
      const tracer = method.tracer;
      if (tracer === undefined) {
        handler(method.begin(undefined));
        return;
      }
      const parent = propagation.extract(ROOT_CONTEXT, call.metadata, getter);
      const span = tracer.startSpan(method.name, method.startOptions(call.getHost()), parent);
      span.setAttributes(peers.of(call.getPeer()));
      context.with(trace.setSpan(parent, span), handler, undefined, method.begin(span));
    },
  };
}
