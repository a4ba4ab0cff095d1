// The child side of the IPC channel the bench process opened (child_process.fork).

const queue: unknown[] = [];
const waiting: ((message: unknown) => void)[] = [];

process.on("message", (message) => {
  const resolve = waiting.shift();
  if (resolve === undefined) {
    queue.push(message);
  } else {
    resolve(message);
  }
});

/** The next message from the bench process, in order of arrival. */
export function nextMessage<T>(): Promise<T> {
  if (queue.length > 0) {
    return Promise.resolve(queue.shift() as T);
  }
  return new Promise((resolve) => waiting.push(resolve as (message: unknown) => void));
}

/** Sends `message` to the bench process; resolves once it is on its way. */
export function send(message: object): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error("not started by the bench (no IPC channel)"));
      return;
    }
    process.send(message, undefined, undefined, (err: Error | null) => (err === null ? resolve() : reject(err)));
  });
}

/** CPU time (user + system) of this process so far, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export function maxRssKiB(): number {
  return process.resourceUsage().maxRSS;
}

// The bench process went away: nobody is left to report to.
process.on("disconnect", () => process.exit(1));
