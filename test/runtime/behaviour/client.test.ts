import { Channel, Client, connectivityState, credentials } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { collect, expectRpcError, rejection, useTestServer } from "../../support/harness.js";
import { RecordingTelemetry, observing, ends } from "../../support/recording-telemetry.js";

const start = useTestServer();

const echo = { unary: (request: { text: string }) => ({ text: request.text }) };

describe("client construction", () => {
  it("on an existing grpc-js Client: close() leaves the shared channel open", async () => {
    const { address } = await start(echo);
    const shared = new Client(address, credentials.createInsecure());
    try {
      const first = new TestServiceClient(shared);
      expect((await first.unary({ text: "one" })).text).toBe("one");
      first.close();
      expect(shared.getChannel().getConnectivityState(false)).not.toBe(connectivityState.SHUTDOWN);
      const second = new TestServiceClient(shared);
      expect((await second.unary({ text: "two" })).text).toBe("two");
    } finally {
      shared.close();
    }
  });

  it("on an existing grpc-js Channel: close() leaves it open", async () => {
    const { address } = await start(echo);
    const channel = new Channel(address, credentials.createInsecure(), {});
    try {
      const first = new TestServiceClient(channel);
      expect((await first.unary({ text: "one" })).text).toBe("one");
      first.close();
      expect(channel.getConnectivityState(false)).not.toBe(connectivityState.SHUTDOWN);
      expect((await new TestServiceClient(channel).unary({ text: "two" })).text).toBe("two");
    } finally {
      channel.close();
    }
  });

  it("from an address: close() closes the channel it created, and later calls fail", async () => {
    const { address } = await start(echo);
    const telemetry = new RecordingTelemetry();
    const client = new TestServiceClient(address, credentials.createInsecure(), { telemetry: observing(telemetry) });
    expect((await client.unary({ text: "one" })).text).toBe("one");
    client.close();

    // The channel is gone: every kind fails with UNAVAILABLE, and each call still ends once.
    expectRpcError(await rejection(client.unary({ text: "two" })), Code.UNAVAILABLE);
    expectRpcError((await collect(client.serverStream({}))).error, Code.UNAVAILABLE);
    expectRpcError(await rejection(client.clientStream([{}])), Code.UNAVAILABLE);
    expectRpcError((await collect(client.bidiStream([{}]))).error, Code.UNAVAILABLE);
    expect(telemetry.calls.map((c) => ends(c).map((e) => e.code))).toEqual([
      [Code.OK],
      [Code.UNAVAILABLE],
      [Code.UNAVAILABLE],
      [Code.UNAVAILABLE],
      [Code.UNAVAILABLE],
    ]);
  });
});
