import type { Readable } from "node:stream";

/** What one pull yields: a result now, one later, or `undefined` to wait for the stream. */
export type Step<M> = IteratorResult<M, undefined> | Promise<IteratorResult<M, undefined>> | undefined;

export const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The messages of a grpc-js readable stream as an async iterator, one message per
 * `next()`. Nothing is read ahead of the consumer beyond the stream's own
 * high-water mark, so a slow consumer holds back the peer through HTTP/2 flow
 * control instead of buffering without bound.
 *
 * A message already buffered is handed out without waiting, and a `next()` that waits
 * is settled by the stream event that wakes it: either way a message costs the one
 * promise the protocol needs (test/runtime/behaviour/message-iterator.test.ts). An async
 * generator costs several, and every promise is expensive while an OpenTelemetry
 * context manager hooks them.
 */
export abstract class MessageIterator<M> implements AsyncIterator<M, undefined>, AsyncIterable<M> {
  /** The stream has nothing more to give: it ended, closed or failed, or the signal fired. */
  protected drained = false;
  /** The iteration is over: done was returned, an error thrown, or the consumer left. */
  private finished = false;
  private wake: (() => void) | undefined;
  private pending: Promise<IteratorResult<M, undefined>> | undefined;

  /** The next result if there is one now; `undefined` waits for the stream; a throw ends the iteration. */
  protected abstract step(): Step<M>;

  /** The consumer left before the end. */
  protected abstract stop(): void;

  /** Follows `stream`; `signal` firing counts as the end of it. */
  protected listen(stream: Readable, signal?: AbortSignal): void {
    const drain = (): void => {
      this.drained = true;
      this.notify();
    };
    stream.on("readable", () => this.notify());
    stream.on("end", drain);
    stream.on("close", drain);
    // The call's status carries the error; listening keeps it from being thrown.
    stream.on("error", drain);
    signal?.addEventListener("abort", drain, { once: true });
  }

  /** Wakes a `next()` waiting for the stream. */
  protected notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // Not async: a result at hand costs the one promise the protocol needs, and a wait
  // returns the pending promise itself rather than a second one chained to it.
  next(): Promise<IteratorResult<M, undefined>> {
    if (this.pending !== undefined) {
      // A next() before the previous one settled is served after it, as generators do.
      const after = (): Promise<IteratorResult<M, undefined>> => this.next();
      return this.pending.then(after, after);
    }
    let result: Step<M>;
    try {
      result = this.finished ? DONE : this.step();
    } catch (err) {
      this.finished = true;
      // What step() threw, rejected as an async next() would reject it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(err);
    }
    if (result === undefined) {
      return (this.pending = this.waitForStream());
    }
    if (result instanceof Promise) {
      return (this.pending = this.later(result));
    }
    if (result.done === true) {
      this.finished = true;
    }
    return Promise.resolve(result);
  }

  return(): Promise<IteratorResult<M, undefined>> {
    if (!this.finished) {
      this.finished = true;
      this.stop();
      this.notify();
    }
    return Promise.resolve(DONE);
  }

  /**
   * The result of a `next()` that found nothing buffered: one promise, settled by the
   * stream event that brings something (an async function awaiting a promise per wake
   * made five).
   */
  private waitForStream(): Promise<IteratorResult<M, undefined>> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        let result: Step<M>;
        try {
          result = this.finished ? DONE : this.step();
        } catch (err) {
          this.finished = true;
          this.pending = undefined;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(err);
          return;
        }
        if (result === undefined) {
          this.wake = wake;
        } else if (result instanceof Promise) {
          resolve((this.pending = this.later(result)));
        } else {
          this.pending = undefined;
          if (result.done === true) {
            this.finished = true;
          }
          resolve(result);
        }
      };
      this.wake = wake;
    });
  }

  /** A result the stream gives later (how it ended); the iteration waits for it. */
  private async later(result: Promise<IteratorResult<M, undefined>>): Promise<IteratorResult<M, undefined>> {
    try {
      const settled = await result;
      if (settled.done === true) {
        this.finished = true;
      }
      return settled;
    } catch (err) {
      this.finished = true;
      throw err;
    } finally {
      this.pending = undefined;
    }
  }
}
