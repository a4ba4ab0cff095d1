// Clients and servers made at import time, before the application starts NodeSDK:
// tracing reaches the SDK through the API's proxy, and OpenTelemetry metrics must too.
import { describe, expect, it } from "vitest";
import { runTypeScript } from "./support/child-process.js";

describe("a server and client made before NodeSDK starts", () => {
  it("record their calls in the SDK's metrics and traces once it runs", async () => {
    const { stdout } = await runTypeScript("test/cross-process/peers/sdk-after-import.ts");
    // One call of each kind: four duration points on each side, two spans per call.
    expect(JSON.parse(stdout)).toEqual({ serverDurations: 4, clientDurations: 4, spans: 8 });
  });
});
