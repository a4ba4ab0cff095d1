// docs/logging.md: with no context manager registered no context is ever active, so
// log records carry nothing, even in handler code before its first await.
import { context } from "@opentelemetry/api";
import { beforeAll, expect, it } from "vitest";
import { logFields } from "protoc-gen-ts-otel-runtime";
import { useTestServer } from "../../support/harness.js";

const start = useTestServer();

beforeAll(() => {
  // The API's default: whatever an earlier test file registered is gone.
  context.disable();
});

it("without a context manager, a handler's log fields are empty", async () => {
  const seen: object[] = [];
  const { client } = await start({
    unary() {
      seen.push(logFields());
      return {};
    },
  });
  await client.unary({});
  expect(seen).toEqual([{}]);
});
