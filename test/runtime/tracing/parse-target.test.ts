// docs/telemetry.md#server-address-and-port, row by row, and the peer strings grpc-js reports.
import { describe, expect, it } from "vitest";
import { parsePeer, parseTarget } from "../../../packages/runtime/src/telemetry/parse-target.js";

describe("parseTarget", () => {
  it.each([
    // The rows of the contract's table.
    ["host:50051", { address: "host", port: 50051 }],
    ["dns:///host:50051", { address: "host", port: 50051 }],
    ["dns://1.2.3.4/host:50051", { address: "host", port: 50051 }],
    ["[::1]:50051", { address: "::1", port: 50051 }],
    ["unix:///run/x.sock", { address: "/run/x.sock" }],
    // What grpc-js's Channel.getTarget() turns plain addresses into.
    ["dns:127.0.0.1:50051", { address: "127.0.0.1", port: 50051 }],
    ["dns:[::1]:50051", { address: "::1", port: 50051 }],
    ["dns:///[2001:db8::1]:443", { address: "2001:db8::1", port: 443 }],
    ["dns://8.8.8.8:53/api.example.com:8443", { address: "api.example.com", port: 8443 }],
    // No port given: the address alone, never a guessed default.
    ["host", { address: "host" }],
    ["dns:///host", { address: "host" }],
    ["[::1]", { address: "::1" }],
    // Other forms of unix sockets.
    ["unix:/run/x.sock", { address: "/run/x.sock" }],
    ["unix:relative.sock", { address: "relative.sock" }],
    ["unix-abstract:abstract-name", { address: "abstract-name" }],
    // grpc's literal-address schemes, with a single address.
    ["ipv4:10.0.0.1:50051", { address: "10.0.0.1", port: 50051 }],
    ["ipv6:[::1]:50051", { address: "::1", port: 50051 }],
    // A name scheme with a path: the path is the service's name.
    ["xds:///orders", { address: "orders" }],
  ])("%s → %o", (target, parsed) => {
    expect(parseTarget(target)).toEqual(parsed);
  });

  it.each([
    "ipv4:10.0.0.1:50051,10.0.0.2:50051",
    "::1:50051",
    "host:port",
    "host:0",
    "host:65536",
    "dns:///",
    "",
    "with space:50051",
  ])("%j is unparseable: the whole target, no port", (target) => {
    expect(parseTarget(target)).toEqual({ address: target });
  });
});

describe("parsePeer", () => {
  it.each([
    // Client side: the subchannel's address.
    ["127.0.0.1:50051", { address: "127.0.0.1", port: 50051 }],
    ["[::1]:50051", { address: "::1", port: 50051 }],
    ["/run/x.sock", { address: "/run/x.sock" }],
    // Server side: the socket's remote address, IPv6 without brackets.
    ["127.0.0.1:53412", { address: "127.0.0.1", port: 53412 }],
    ["::1:53412", { address: "::1", port: 53412 }],
    ["::ffff:127.0.0.1:53412", { address: "::ffff:127.0.0.1", port: 53412 }],
    ["2001:db8::7:53412", { address: "2001:db8::7", port: 53412 }],
    ["ipv4:127.0.0.1:53412", { address: "127.0.0.1", port: 53412 }],
    ["unix:/run/x.sock", { address: "/run/x.sock" }],
  ])("%s → %o", (peer, parsed) => {
    expect(parsePeer(peer)).toEqual(parsed);
  });

  it.each(["unknown", ""])("%j has no address", (peer) => {
    expect(parsePeer(peer)).toBeUndefined();
  });
});
