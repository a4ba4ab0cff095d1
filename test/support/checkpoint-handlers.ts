// TestService handlers that pass a checkpoint wherever handler code runs — at entry,
// after awaits, between yields, while reading the request stream — for tests of what
// the context there holds (the server span, the call's log fields).
import { setImmediate as tick } from "node:timers/promises";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";

/** Handlers that call `pass(label)` at each checkpoint. */
export function checkpointHandlers(pass: (label: string) => void): TestServiceHandlers {
  return {
    async unary() {
      pass("entry");
      await tick();
      pass("after await");
      return {};
    },
    async *serverStream() {
      pass("entry");
      await tick();
      pass("after await");
      yield { index: 0 };
      pass("between yields");
      await tick();
      yield { index: 1 };
      pass("after last yield");
    },
    async clientStream(requests) {
      pass("entry");
      for await (const request of requests) {
        pass(`read ${request.text}`);
        await tick();
      }
      pass("after reading");
      return {};
    },
    async *bidiStream(requests) {
      pass("entry");
      for await (const request of requests) {
        pass(`read ${request.text}`);
        await tick();
        yield { text: request.text };
        pass(`after yield ${request.text}`);
      }
      pass("after reading");
    },
  };
}

/** The checkpoints each method passes, in order, for the requests of `checkpointRequests`. */
export const CHECKPOINTS: Readonly<Record<string, readonly string[]>> = {
  Unary: ["entry", "after await"],
  ServerStream: ["entry", "after await", "between yields", "after last yield"],
  ClientStream: ["entry", "read one", "read two", "after reading"],
  BidiStream: ["entry", "read one", "after yield one", "read two", "after yield two", "after reading"],
};

/** Requests `one` and `two`, each after a turn of the event loop (a stream), or `one` alone. */
export function checkpointRequests(streamsRequests: boolean): AsyncGenerator<{ text: string }> | { text: string }[] {
  return streamsRequests ? slowly([{ text: "one" }, { text: "two" }]) : [{ text: "one" }];
}

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await tick();
    yield item;
  }
}
