import type { Writable } from "node:stream";

/**
 * Writes one serialized message and, when the stream asks for it by returning
 * false, waits for `drain`, or for the stream to close or `stop` to fire, so a
 * dead call never leaves the writer waiting. Resolves false once `stop` has fired:
 * the call is over and the writer should pull nothing more from its source.
 */
export async function writeMessage(stream: Writable, bytes: Buffer, stop: AbortSignal): Promise<boolean> {
  if (!stream.write(bytes) && !stop.aborted) {
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
  return !stop.aborted;
}
