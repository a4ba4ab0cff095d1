// The iterator under both sides' message streams, on a plain object-mode stream: what a
// next() that has to wait for the stream does, and what it costs (one promise: every
// promise is paid again under a context manager's promise hook).
import { createHook } from "node:async_hooks";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { DONE, MessageIterator } from "../../../packages/runtime/src/message-iterator.js";
import type { Step } from "../../../packages/runtime/src/message-iterator.js";

/** Strings off an object-mode stream; "boom" throws when read; "later" ends the stream with a result given later. */
class Strings extends MessageIterator<string> {
  stopped = 0;

  constructor(private readonly stream: PassThrough) {
    super();
    this.listen(stream);
  }

  protected step(): Step<string> {
    const value = this.stream.read() as string | null;
    if (value === "boom") {
      throw new Error("boom");
    }
    if (value === "later") {
      return Promise.resolve(DONE);
    }
    if (value !== null) {
      return { done: false, value };
    }
    return this.drained ? DONE : undefined;
  }

  protected stop(): void {
    this.stopped++;
  }
}

function strings(): { stream: PassThrough; iterator: Strings } {
  const stream = new PassThrough({ objectMode: true });
  return { stream, iterator: new Strings(stream) };
}

describe("MessageIterator", () => {
  it("hands out messages written after next() was called, in order, then done", async () => {
    const { stream, iterator } = strings();
    const first = iterator.next();
    const second = iterator.next();
    stream.write("a");
    stream.write("b");
    stream.end();
    expect(await first).toEqual({ done: false, value: "a" });
    expect(await second).toEqual({ done: false, value: "b" });
    expect(await iterator.next()).toEqual(DONE);
    expect(await iterator.next()).toEqual(DONE);
  });

  it("makes one promise for a next() that waits, none more when the stream wakes it", async () => {
    const { stream, iterator } = strings();
    let pending: Promise<IteratorResult<string, undefined>> | undefined;
    // From next() until a turn after the stream woke it and the result was delivered, the
    // promises made with the iterator's code on the stack (vitest's own messages make some
    // too), counted from a plain callback so that no await of the test falls in the count.
    const made = await new Promise<number>((resolve) => {
      setImmediate(() => {
        let count = 0;
        const hook = createHook({
          init(_id, type) {
            if (type === "PROMISE" && (new Error().stack ?? "").includes("/src/message-iterator.")) count++;
          },
        }).enable();
        pending = iterator.next();
        stream.once("readable", () => {
          setImmediate(() => {
            hook.disable();
            resolve(count);
          });
        });
        stream.write("a");
      });
    });
    expect(made).toBe(1);
    expect(await pending).toEqual({ done: false, value: "a" });
  });

  it("rejects a waiting next() with what reading threw, and ends the iteration", async () => {
    const { stream, iterator } = strings();
    const waiting = iterator.next();
    stream.write("boom");
    await expect(waiting).rejects.toThrow("boom");
    stream.write("after");
    expect(await iterator.next()).toEqual(DONE);
  });

  it("waits for a result the stream gives later, and serves the next() queued behind it after it", async () => {
    const { stream, iterator } = strings();
    const waiting = iterator.next();
    const queued = iterator.next();
    stream.write("later");
    expect(await waiting).toEqual(DONE);
    expect(await queued).toEqual(DONE);
  });

  it("ends a waiting next() with done when the consumer leaves, and stops the source once", async () => {
    const { iterator } = strings();
    const waiting = iterator.next();
    expect(await iterator.return()).toEqual(DONE);
    expect(await waiting).toEqual(DONE);
    expect(await iterator.return()).toEqual(DONE);
    expect(iterator.stopped).toBe(1);
  });
});
