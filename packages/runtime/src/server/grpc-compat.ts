// What the grpc-js versions of the peer range (^1.10.0) do not all offer, in one place.
//
// `getHost()` (the request's `:authority`) came to server calls and to
// `ServerInterceptingCall` in grpc-js 1.11; on 1.10 calling it throws "getHost is not
// a function". Server spans take `server.address` and `server.port` from it, so on
// 1.10 they go without (test/packaging/peer-ranges.test.ts serves at 1.10.0). The canary
// in test/cross-process/canaries.test.ts ("offers getHost() on server calls") fails when
// an installed grpc-js stops offering it.

/** A grpc-js server call or intercepting call: `getHost` is typed, but 1.10 lacks it. */
export interface HostOf {
  getHost?(): string;
}

/** The call's `:authority`, or undefined on grpc-js versions that do not tell it. */
export function callHost(call: HostOf): string | undefined {
  return typeof call.getHost === "function" ? call.getHost() : undefined;
}
