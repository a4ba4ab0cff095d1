import type { Writable } from "node:stream";

/**
 * Writes one serialized message and, when the stream asks for it by returning
 * false, waits for `drain`, or for the stream to close or `stop` to fire, so a
 * dead call never leaves the writer waiting. Gives false once `stop` has fired:
 * the call is over and the writer should pull nothing more from its source.
 *
 * Answers synchronously unless it has to wait: most writes fit, and a promise per
 * message is what a streaming call would otherwise cost most.
 */
export function writeMessage(stream: Writable, bytes: Buffer, stop: AbortSignal): boolean | Promise<boolean> {
  if (stream.write(bytes) || stop.aborted) {
    return !stop.aborted;
  }
  return new Promise<boolean>((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stop.removeEventListener("abort", done);
      resolve(!stop.aborted);
    };
    stream.on("drain", done);
    stream.on("close", done);
    stop.addEventListener("abort", done);
  });
}

/**
 * Feeds every item of `source` to `send` until the source ends or `send` says stop
 * (false). Gives whether the source was used up. A sync iterable (an array, a
 * generator) is walked without a promise per item; leaving a loop early runs the
 * source's `return()`, so its cleanup happens.
 */
export async function sendAll<T>(
  source: Iterable<T> | AsyncIterable<T>,
  send: (item: T) => boolean | Promise<boolean>,
): Promise<boolean> {
  if (Symbol.asyncIterator in source) {
    for await (const item of source) {
      const sent = send(item);
      if (!(typeof sent === "boolean" ? sent : await sent)) {
        return false;
      }
    }
    return true;
  }
  for (const item of source) {
    const sent = send(item);
    if (!(typeof sent === "boolean" ? sent : await sent)) {
      return false;
    }
  }
  return true;
}
