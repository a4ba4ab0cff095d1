import { status as Code } from "@grpc/grpc-js";
import { STATUS_CODE_COUNT } from "../errors.js";
import type { Side } from "../observer.js";
import { SERVER_ERROR_CODES } from "./semconv.js";

// Tables indexed by status code, which every part keeps per side or per method: a
// call looks its code up by array index instead of building anything.

/**
 * A value per status code, each built the first time its code is seen and kept: the
 * attribute set or series of a method and status, made once rather than per call.
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

  /** Every value built so far: gRPC's codes in order, then any other code in the order seen. */
  *values(): Iterable<T> {
    for (const value of this.known) {
      if (value !== undefined) yield value;
    }
    yield* this.other?.values() ?? [];
  }
}

/** On the client every status but OK is an error. */
const CLIENT_ERROR_CODES: readonly Code[] = Object.values(Code).filter(
  (code): code is Code => typeof code === "number" && code !== Code.OK,
);

/**
 * Whether a status code is an error on `side`, as a table by code number
 * (`isError[code]`): the part's `errorCodes` option when given, else the side's default.
 */
export function errorTable(side: Side, errorCodes: readonly Code[] | undefined): readonly boolean[] {
  const table: boolean[] = Array.from({ length: STATUS_CODE_COUNT }, () => false);
  // On the server only the codes that mean the server failed are errors; a server
  // answering NOT_FOUND did its job (semantic conventions, rpc/grpc.md).
  for (const code of errorCodes ?? (side === "client" ? CLIENT_ERROR_CODES : SERVER_ERROR_CODES)) {
    table[code] = true;
  }
  return table;
}
