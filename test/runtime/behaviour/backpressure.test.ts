// Backpressure: a slow consumer holds the producer back through HTTP/2 flow control
// instead of letting messages pile up in memory, in both directions.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ChannelOptions } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { deferred, useTestServer, waitUntilSteady } from "../../support/harness.js";

const start = useTestServer();

const MESSAGE_SIZE = 1024;
const PAYLOAD = new Uint8Array(MESSAGE_SIZE).fill(7);
/**
 * How many messages a producer may get ahead of a paused consumer: the HTTP/2 stream
 * window (64 KiB by default, ~64 messages of 1 KiB) plus a few messages buffered by
 * each grpc-js stream (16 objects) and one by us. Unbounded buffering would reach the total.
 */
const MAX_AHEAD = 300;
/**
 * grpc-js keeps up to `grpc.per_rpc_retry_buffer_size` bytes (1 MiB by default) of a
 * call's requests for retries and acknowledges those writes at once, so by default a
 * client's requests can get that much further ahead. Setting it to 0 leaves only flow control.
 */
const DEFAULT_RETRY_BUFFER = 1 << 20;
const NO_RETRY_BUFFER: ChannelOptions = { "grpc.per_rpc_retry_buffer_size": 0 };

type ClientStreamRequest = MessageInitShape<typeof ClientStreamRequestSchema>;
type BidiStreamRequest = MessageInitShape<typeof BidiStreamRequestSchema>;

describe("backpressure", () => {
  it("blocks a server stream's producer while the client does not read", async () => {
    const total = 20_000;
    let produced = 0;
    const { client } = await start({
      async *serverStream(request) {
        for (let index = 0; index < request.count; index++) {
          produced++;
          yield { index, payload: PAYLOAD };
        }
      },
    });
    const iterator = client.serverStream({ count: total })[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      expect((await iterator.next()).done).toBe(false);
    }
    const ahead = await waitUntilSteady(() => produced, "the server's producer");
    expect(ahead).toBeGreaterThan(3);
    expect(ahead).toBeLessThan(MAX_AHEAD);

    // Reading on releases the producer, and nothing was lost or reordered on the way.
    let received = 3;
    let inOrder = true;
    for (let result = await iterator.next(); result.done !== true; result = await iterator.next()) {
      inOrder &&= result.value.index === received;
      received++;
    }
    expect(inOrder).toBe(true);
    expect(received).toBe(total);
    expect(produced).toBe(total);
  });

  it.each([
    {
      buffer: "grpc-js's default retry buffer",
      channelOptions: {},
      maxAhead: DEFAULT_RETRY_BUFFER / MESSAGE_SIZE + MAX_AHEAD,
    },
    { buffer: "no retry buffer", channelOptions: NO_RETRY_BUFFER, maxAhead: MAX_AHEAD },
  ])("does not pull a client stream's requests far ahead of a slow handler, with $buffer", async (bound) => {
    const { channelOptions, maxAhead } = bound;
    const total = 5_000;
    let pulled = 0;
    let consumed = 0;
    const release = deferred();
    const { client } = await start(
      {
        async clientStream(requests) {
          for await (const _request of requests) {
            consumed++;
            if (consumed === 3) {
              await release.promise;
            }
          }
          return { count: consumed };
        },
      },
      { client: { channelOptions } },
    );
    function* requests(): Generator<ClientStreamRequest> {
      for (let index = 0; index < total; index++) {
        pulled++;
        yield { count: index, payload: PAYLOAD };
      }
    }
    const call = client.clientStream(requests());
    const ahead = await waitUntilSteady(() => pulled, "the client's request generator");
    expect(consumed).toBe(3);
    expect(ahead).toBeLessThan(maxAhead);

    release.resolve();
    expect((await call).count).toBe(total);
    expect(pulled).toBe(total);
  });

  it("holds back both directions of a bidi call whose client reads nothing", async () => {
    const total = 5_000;
    let produced = 0;
    let pulled = 0;
    const { client } = await start(
      {
        async *bidiStream(requests) {
          for await (const request of requests) {
            produced++;
            yield { index: request.count, payload: PAYLOAD };
          }
        },
      },
      { client: { channelOptions: NO_RETRY_BUFFER } },
    );
    function* requests(): Generator<BidiStreamRequest> {
      for (let index = 0; index < total; index++) {
        pulled++;
        yield { count: index, payload: PAYLOAD };
      }
    }
    const iterator = client.bidiStream(requests())[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await waitUntilSteady(() => pulled + produced, "the bidi call");
    // The handler is blocked writing, so it stops reading; the client is blocked in turn.
    expect(produced).toBeLessThan(MAX_AHEAD);
    expect(pulled - produced).toBeLessThan(MAX_AHEAD);

    let received = 1;
    while ((await iterator.next()).done !== true) {
      received++;
    }
    expect(received).toBe(total);
  });
});
