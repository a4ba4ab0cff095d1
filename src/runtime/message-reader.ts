import type { Readable } from "node:stream";

/**
 * Pulls messages off a grpc-js readable stream one at a time. Nothing is read ahead
 * of the consumer beyond the stream's own high-water mark, so a slow consumer
 * holds back the peer through HTTP/2 flow control instead of buffering without bound.
 *
 * `next()` resolves `undefined` once the stream has ended, failed or closed, or the
 * optional signal has fired; `failure` then tells the stream error, if any.
 */
export class MessageReader {
  private done = false;
  private wake: (() => void) | undefined;
  failure: unknown;

  constructor(
    private readonly stream: Readable,
    private readonly signal?: AbortSignal,
  ) {
    const finish = (): void => {
      this.done = true;
      this.notify();
    };
    stream.on("readable", () => this.notify());
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", (err: unknown) => {
      this.failure ??= err;
      finish();
    });
    signal?.addEventListener("abort", finish, { once: true });
  }

  async next(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.signal?.aborted === true) {
        return undefined;
      }
      const chunk: unknown = this.stream.read();
      if (chunk !== null) {
        return chunk as Buffer;
      }
      if (this.done) {
        return undefined;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
