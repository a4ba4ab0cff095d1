import { STATUS_CODE_COUNT } from "../../errors.js";

/**
 * A value per status code, each built the first time its code is seen and kept: the
 * attribute set of a method and status, made once rather than per call.
 */
export class PerCode<T> {
  private readonly known: (T | undefined)[] = new Array<T | undefined>(STATUS_CODE_COUNT);
  // Codes gRPC does not define; kept apart so the usual lookup is an array index.
  private other: Map<number, T> | undefined;

  constructor(private readonly build: (code: number) => T) {}

  get(code: number): T {
    if (code >= 0 && code < STATUS_CODE_COUNT) {
      let value = this.known[code];
      if (value === undefined) {
        value = this.build(code);
        this.known[code] = value;
      }
      return value;
    }
    this.other ??= new Map();
    let value = this.other.get(code);
    if (value === undefined) {
      value = this.build(code);
      this.other.set(code, value);
    }
    return value;
  }
}
