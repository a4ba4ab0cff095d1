import { VERSION } from "../../version.js";

// The instrumentation scope of every span.

/** The tracer's name: this package. */
export const TRACER_NAME = "protoc-gen-ts-otel";

/** The tracer's version: the package's. */
export const TRACER_VERSION = VERSION;
