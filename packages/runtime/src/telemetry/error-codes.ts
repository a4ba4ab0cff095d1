import { status as Code } from "@grpc/grpc-js";
import { STATUS_CODE_COUNT } from "../errors.js";

/** On the client every status but OK is an error. */
export const CLIENT_ERROR_CODES: readonly Code[] = Object.values(Code).filter(
  (code): code is Code => typeof code === "number" && code !== Code.OK,
);

/**
 * On the server only the codes that mean the server failed are errors; a server
 * answering NOT_FOUND did its job (semantic conventions, rpc/grpc.md).
 */
export const SERVER_ERROR_CODES: readonly Code[] = [
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.UNIMPLEMENTED,
  Code.INTERNAL,
  Code.UNAVAILABLE,
  Code.DATA_LOSS,
];

/** A lookup table by code number, built once: `isError[code]`. */
export function errorCodeTable(codes: readonly Code[]): readonly boolean[] {
  const table: boolean[] = Array.from({ length: STATUS_CODE_COUNT }, () => false);
  for (const code of codes) {
    table[code] = true;
  }
  return table;
}
