/** Which end of a call the instruments describe: `rpc.server.*` or `rpc.client.*`. */
export type Side = "server" | "client";
