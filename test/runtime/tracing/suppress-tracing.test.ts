// The runtime marks contexts as @opentelemetry/core's suppressTracing() does, without
// depending on that package: the mark must be the very same.
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { expect, it } from "vitest";
import { suppressTracing } from "../../../packages/runtime/src/telemetry/tracing/client-spans.js";

it("suppressTracing sets the mark the SDK and the standard propagators check", () => {
  expect(isTracingSuppressed(ROOT_CONTEXT)).toBe(false);
  expect(isTracingSuppressed(suppressTracing(ROOT_CONTEXT))).toBe(true);
});
