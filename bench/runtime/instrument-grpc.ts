// Preloaded (`node --import`) in both processes of the instrumentation-grpc variant:
// @opentelemetry/instrumentation-grpc patches grpc-js when grpc-js is first required,
// so the SDK and the instrumentation are registered here, before any module of the
// benchmark loads grpc-js, as its documentation tells applications to do.
import { createRequire } from "node:module";
import { isWrapped, registerInstrumentations } from "@opentelemetry/instrumentation";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import type * as Grpc from "@grpc/grpc-js";
import { installSdk } from "./telemetry-sdk.js";

installSdk();
registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });

// Load it now, through the hooked `require`, and check it took.
const grpc = createRequire(import.meta.url)("@grpc/grpc-js") as typeof Grpc;
const patched = (prototype: object, method: string): boolean => isWrapped(Reflect.get(prototype, method));
if (!patched(grpc.Client.prototype, "makeUnaryRequest") || !patched(grpc.Server.prototype, "register")) {
  throw new Error("instrumentation-grpc did not patch @grpc/grpc-js");
}
