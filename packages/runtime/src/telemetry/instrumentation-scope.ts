import { VERSION } from "../version.js";

/** The instrumentation scope of every tracer and meter: this package, at its version. */
export const SCOPE_NAME = "protoc-gen-ts-otel-runtime";
export const SCOPE_VERSION = VERSION;
