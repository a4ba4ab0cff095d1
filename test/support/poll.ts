/**
 * Reads `read()` every few milliseconds until `done` holds for what it returned, and
 * returns that; fails after `timeoutMs` naming `what` and the last value seen.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 5_000, intervalMs = 5): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() > giveUp) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value).slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
