// The stream iterators both sides hand out are hand-written async iterators, not
// generators: these pin down the generator behaviour users rely on.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { deferred, expectRpcError, handlerAborted, useTestServer, waitFor, within } from "../../support/harness.js";

const start = useTestServer();

describe("stream iterators", () => {
  it("makes no call for a response stream nobody iterates", async () => {
    let served = 0;
    const { client } = await start({
      serverStream(request) {
        served++;
        return [{ index: request.count }];
      },
    });
    const unused = client.serverStream({ count: 1 });
    await sleep(100);
    expect(served).toBe(0);
    const iterator = unused[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ done: false, value: { index: 1 } });
    expect(served).toBe(1);
  });

  it("serves next() calls made without waiting in order, then done once and for good", async () => {
    const { client } = await start({
      async *serverStream(request) {
        for (let index = 0; index < request.count; index++) {
          await sleep(1);
          yield { index };
        }
      },
    });
    const iterator = client.serverStream({ count: 3 })[Symbol.asyncIterator]();
    const results = await within(Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next()]), "four results");
    expect(results.map((r) => (r.done === true ? "done" : r.value.index))).toEqual([0, 1, 2, "done"]);
    expect((await iterator.next()).done).toBe(true);
  });

  it("rejects every waiting next() in turn with the status, then reports done", async () => {
    const { client } = await start({
      async *serverStream() {
        await sleep(20);
        yield { index: 0 };
        throw new Error("handler bug");
      },
    });
    const iterator = client.serverStream({})[Symbol.asyncIterator]();
    const [first, second] = await within(Promise.allSettled([iterator.next(), iterator.next()]), "two results");
    expect(first).toMatchObject({ status: "fulfilled", value: { done: false, value: { index: 0 } } });
    expect(second.status).toBe("rejected");
    expectRpcError(second.status === "rejected" ? second.reason : undefined, Code.UNKNOWN);
    expect((await iterator.next()).done).toBe(true);
  });

  it("cancels the call when the consumer returns while a next() waits", async () => {
    const signal = deferred<AbortSignal>();
    const { client } = await start({
      async *serverStream(_request, context: ServerContext) {
        signal.resolve(context.signal);
        yield { index: 0 };
        await new Promise(() => {});
      },
    });
    const iterator = client.serverStream({})[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const waiting = iterator.next();
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await within(waiting, "the waiting next()")).toEqual({ done: true, value: undefined });
    expectRpcError(await handlerAborted(signal.promise), Code.CANCELLED);
  });

  it("hands a handler's concurrent next() calls the requests in order", async () => {
    let seen: (number | "done")[] = [];
    const { client } = await start({
      async clientStream(requests) {
        const iterator = requests[Symbol.asyncIterator]();
        const results = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next()]);
        seen = results.map((r) => (r.done === true ? "done" : r.value.count));
        return { count: seen.length };
      },
    });
    async function* slowly() {
      for (let sequence = 1; sequence <= 3; sequence++) {
        await sleep(5);
        yield { count: sequence };
      }
    }
    await within(client.clientStream(slowly()), "the client stream");
    await waitFor(() => seen.length > 0, "the handler's results");
    expect(seen).toEqual([1, 2, 3, "done"]);
  });
});
