// The HPACK decoder of the frame proxy: the RFC's own examples, and header blocks that
// Node's HTTP/2 stack (nghttp2, which Huffman-encodes, indexes and evicts) sends through
// the proxy, compared with what the receiving Node peer decoded.
import { connect, createServer } from "node:http2";
import type { Http2Server, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HUFFMAN_CODE_LENGTHS, HpackDecoder, huffmanCodes, huffmanDecode } from "../support/hpack.js";
import type { HeaderField } from "../support/hpack.js";
import { startH2Proxy } from "../support/h2-proxy.js";
import type { H2Proxy, StreamFrame } from "../support/h2-proxy.js";
import { listenLocal } from "../../support/listen.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("the Huffman code", () => {
  it("is complete and prefix-free: the code lengths fill the code space exactly", () => {
    // Kraft: a complete prefix code has sum(2^-length) = 1; a wrong length breaks it.
    const sum = HUFFMAN_CODE_LENGTHS.reduce((total, length) => total + 2 ** (30 - length), 0);
    expect(HUFFMAN_CODE_LENGTHS).toHaveLength(257);
    expect(sum).toBe(2 ** 30);
  });

  it("gives the codes of the RFC's table", () => {
    const codes = huffmanCodes();
    // A few rows of Appendix B, from each length class.
    expect([codes[0], codes[32], codes[48], codes[97], codes[127], codes[200], codes[256]]).toEqual([
      0x1ff8, 0x14, 0x0, 0x3, 0xffffffc, 0x3ffffe2, 0x3fffffff,
    ]);
  });

  it("decodes the RFC's examples, and refuses bad padding", () => {
    expect(huffmanDecode(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff")).toString()).toBe("www.example.com");
    expect(huffmanDecode(hex("a8eb 1064 9cbf")).toString()).toBe("no-cache");
    expect(huffmanDecode(hex("25a8 49e9 5ba9 7d7f")).toString()).toBe("custom-key");
    // "0" is 00000; padding must be ones.
    expect(() => huffmanDecode(hex("00"))).toThrow(/padding/);
    // A whole byte of padding is more than 7 bits.
    expect(() => huffmanDecode(hex("07ff"))).toThrow(/padding/);
  });
});

describe("the HPACK decoder", () => {
  it("decodes the request examples of RFC 7541 C.3 and C.4, keeping the dynamic table across blocks", () => {
    for (const blocks of [
      ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"],
      ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"],
    ]) {
      const decoder = new HpackDecoder();
      expect(decoder.decode(hex(blocks[0] ?? ""))).toEqual([
        [":method", "GET"],
        [":scheme", "http"],
        [":path", "/"],
        [":authority", "www.example.com"],
      ]);
      expect(decoder.decode(hex(blocks[1] ?? ""))).toContainEqual(["cache-control", "no-cache"]);
      expect(decoder.decode(hex(blocks[2] ?? ""))).toEqual([
        [":method", "GET"],
        [":scheme", "https"],
        [":path", "/index.html"],
        [":authority", "www.example.com"],
        ["custom-key", "custom-value"],
      ]);
      expect(decoder.table).toEqual([
        ["custom-key", "custom-value"],
        ["cache-control", "no-cache"],
        [":authority", "www.example.com"],
      ]);
    }
  });

  it("evicts on a table size update and when an entry does not fit, and refuses an update over the limit", () => {
    const decoder = new HpackDecoder(64);
    // "a: b" (34 octets) indexed, then "a: c" evicts it in a 64-octet table.
    decoder.decode(hex("4001 6101 62"));
    decoder.decode(hex("4001 6101 63"));
    expect(decoder.table).toEqual([["a", "c"]]);
    // Size update to 0 at the start of a block empties the table; index 62 is then gone.
    expect(decoder.decode(hex("20 82"))).toEqual([[":method", "GET"]]);
    expect(decoder.table).toEqual([]);
    expect(() => decoder.decode(hex("be"))).toThrow(/no entry 62/);
    expect(() => decoder.decode(hex("3f 22"))).toThrow(/over the limit/);
    expect(() => decoder.decode(hex("82 20"))).toThrow(/after a header field/);
  });
});

describe("header blocks of Node's HTTP/2 through the recording proxy", () => {
  let server: Http2Server;
  let proxy: H2Proxy;
  const received: { response: IncomingHttpHeaders; trailers: IncomingHttpHeaders }[] = [];

  /** Headers the client sends on call `i`: repeated ones (indexed), new ones (literal), long ones (evicting). */
  const requestHeaders = (i: number): OutgoingHttpHeaders => ({
    ":method": "POST",
    ":path": `/svc/Method${String(i % 3)}`,
    "content-type": "application/grpc",
    "x-same": "same value on every call",
    [`x-call-${String(i)}`]: `value ${String(i)} ~!@#$%^&*()_+{}|:"<>?`,
    "x-long": "z".repeat(150 + i * 10),
    "x-bytes": Buffer.from([0x41 + i, 0x80, 0xff, 0xe9]).toString("latin1"),
  });

  beforeAll(async () => {
    // A small header table on the server makes the client's encoder evict and announce sizes.
    server = createServer({ settings: { headerTableSize: 256 } });
    server.on("stream", (stream, headers) => {
      stream.respond({ ":status": 200, "x-response": `r-${String(headers[":path"])}`, "x-same": "same" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "grpc-message": `done ${String(headers[":path"])} %é` }));
      stream.end("body");
      stream.resume();
    });
    proxy = await startH2Proxy(await listenLocal(server), { record: true });
    const session = connect(`http://127.0.0.1:${String(proxy.port)}`);
    for (let i = 0; i < 12; i++) {
      const request = session.request(requestHeaders(i));
      request.end();
      received.push(
        await new Promise((resolve, reject) => {
          let response: IncomingHttpHeaders = {};
          request.on("response", (headers) => (response = headers));
          request.on("trailers", (trailers: IncomingHttpHeaders) => resolve({ response, trailers }));
          request.on("error", reject);
          request.resume();
        }),
      );
    }
    session.close();
    await proxy.idle(10_000);
  }, 30_000);

  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const fields = (frames: readonly StreamFrame[], from: "client" | "server"): HeaderField[][] =>
    frames.flatMap((f) => (f.from === from && f.kind === "headers" ? [[...f.headers]] : []));
  const plain = (headers: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, string> =>
    Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (k === "date" || (typeof v !== "string" && typeof v !== "number") ? [] : [[k, String(v)]])));

  it("decodes every header block as the receiving peer did, on one connection whose tables evict", () => {
    const streams = proxy.connections[0]?.streams;
    expect(streams?.size).toBe(12);
    [...(streams?.values() ?? [])].forEach((frames, i) => {
      const [request] = fields(frames, "client");
      const [response, trailers] = fields(frames, "server");
      expect(Object.fromEntries(request ?? [])).toEqual({ ...plain(requestHeaders(i)), ":scheme": "http", ":authority": `127.0.0.1:${String(proxy.port)}` });
      const seen = received[i];
      expect(Object.fromEntries((response ?? []).filter(([k]) => k !== "date"))).toEqual(plain(seen?.response ?? {}));
      expect(Object.fromEntries(trailers ?? [])).toEqual(plain(seen?.trailers ?? {}));
    });
  });

  it("records END_STREAM on the trailers and the body as a DATA transcript", () => {
    const frames = proxy.connections[0]?.streams.get(1) ?? [];
    expect(frames.filter((f) => f.from === "server").map((f) => (f.kind === "headers" ? `headers end=${String(f.endStream)}` : f.kind))).toEqual([
      "headers end=false",
      // "body" is not gRPC framing: 4 bytes of a message that never completes.
      "incomplete",
      "headers end=true",
    ]);
  });
});
