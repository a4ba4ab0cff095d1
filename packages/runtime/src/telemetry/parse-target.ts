/** Where a client sends its calls, as `server.address` / `server.port` describe it. */
export interface ParsedTarget {
  readonly address: string;
  readonly port?: number | undefined;
}

/**
 * Parses a grpc-js target the way the semantic conventions want it, without ever
 * resolving a name: `host:50051`, `dns:///host:50051`, `dns://1.2.3.4/host:50051`
 * → host and port; `[::1]:50051` → `::1`; `unix:///run/x.sock` → the path, no port;
 * `ipv4:` / `ipv6:` with a single address → that address; anything else → the whole
 * target, no port. Also reads a server's `:authority` (`host:port`).
 */
export function parseTarget(target: string): ParsedTarget {
  if (target.startsWith("unix:")) {
    // unix:path, unix:/abs/path and unix:///abs/path all name a socket path.
    const path = target.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
    return { address: path };
  }
  if (target.startsWith("unix-abstract:")) {
    return { address: target.slice("unix-abstract:".length) };
  }
  let hostPort = target;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/(.*)$/i.exec(target);
  if (scheme !== null) {
    hostPort = scheme[3] ?? "";
  } else {
    // grpc's naming without slashes: dns:host:port, ipv4:1.2.3.4:50051, ipv6:[::1]:50051.
    const bare = /^(dns|ipv4|ipv6):(.*)$/.exec(target);
    if (bare !== null) {
      hostPort = bare[2] ?? "";
    }
  }
  return splitHostPort(hostPort) ?? { address: target };
}

function splitHostPort(hostPort: string): ParsedTarget | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (bracketed !== null) {
    return withPort(bracketed[1] ?? "", bracketed[2]);
  }
  const plain = /^([^:[\]/\s,]+)(?::(\d+))?$/.exec(hostPort);
  if (plain !== null) {
    return withPort(plain[1] ?? "", plain[2]);
  }
  return undefined;
}

function withPort(address: string, port: string | undefined): ParsedTarget | undefined {
  if (address === "") {
    return undefined;
  }
  if (port === undefined) {
    return { address };
  }
  const n = Number(port);
  return n > 0 && n <= 65535 ? { address, port: n } : undefined;
}

/**
 * Splits a grpc-js peer string into the `network.peer.*` address and port: clients
 * report `127.0.0.1:50051`, `[::1]:50051` or a socket path; servers report
 * `127.0.0.1:53412` or `::1:53412` (IPv6 without brackets), and `unknown` when the
 * socket has no address (unix sockets), which gives undefined.
 */
export function parsePeer(peer: string): ParsedTarget | undefined {
  const value = peer.replace(/^(ipv4|ipv6):/, "");
  if (value === "" || value === "unknown") {
    return undefined;
  }
  if (value.startsWith("unix:")) {
    return { address: value.slice("unix:".length) };
  }
  if (value.startsWith("/")) {
    return { address: value };
  }
  return splitHostPort(value) ?? (value.includes(":") && !value.includes("[") ? splitIpv6(value) : undefined);
}

// `::1:53412`: the port follows the last colon.
function splitIpv6(value: string): ParsedTarget | undefined {
  const i = value.lastIndexOf(":");
  return withPort(value.slice(0, i), value.slice(i + 1));
}
