import type { Writable } from "node:stream";

/**
 * Writes one serialized message and, when the stream asks for it by returning
 * false, waits for `drain`, or for the stream to close or `stop` to fire, so a
 * dead call never leaves the writer waiting.
 */
export async function writeMessage(stream: Writable, bytes: Buffer, stop: AbortSignal): Promise<void> {
  if (stream.write(bytes) || stop.aborted) {
    return;
  }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stop.removeEventListener("abort", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stop.addEventListener("abort", done);
  });
}
