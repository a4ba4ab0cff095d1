import { context, propagation, trace } from "@opentelemetry/api";
import type { TextMapSetter } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import type { ClientHooks } from "../call-hooks.js";
import { FloorSide, addressAttributes, floorMethods } from "./floor-method.js";
import type { FloorParts } from "./floor-method.js";

const setter: TextMapSetter<Metadata> = { set: (metadata, key, value) => metadata.set(key, value) };

/** The floor's client side: a CLIENT span per call, a child of the active context, injected into the request metadata. */
export function floorClientHooks(parts: FloorParts, target: string): ClientHooks {
  const side = new FloorSide("client", parts);
  const server = addressAttributes(target, "server.address", "server.port");
  const floor = floorMethods(side, server);
  return {
    start(name, metadata) {
      const method = floor[name];
      const tracer = method.tracer;
      if (tracer === undefined) {
        return method.begin(undefined);
      }
      const parent = context.active();
      const span = tracer.startSpan(method.name, method.startOptions(), parent);
      propagation.inject(trace.setSpan(parent, span), metadata, setter);
      return method.begin(span);
    },
  };
}
