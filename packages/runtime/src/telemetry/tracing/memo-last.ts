/**
 * Remembers the last result of `compute`: a client's peer and a server's `:authority`
 * are the same string call after call, so their attributes are built once, not per call.
 */
export function memoLast<T>(compute: (key: string) => T): (key: string) => T {
  let lastKey: string | undefined;
  let lastValue: T | undefined;
  return (key) => {
    if (key !== lastKey || lastValue === undefined) {
      lastValue = compute(key);
      lastKey = key;
    }
    return lastValue;
  };
}
