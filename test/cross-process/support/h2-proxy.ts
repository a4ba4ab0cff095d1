// A TCP proxy on 127.0.0.1 that passes HTTP/2 connections through (unchanged unless
// told to hide the server's stream limit or hold its refusals, see H2ProxyOptions) and logs,
// in the order they pass, the frames that end streams: a HEADERS frame with
// END_STREAM from the server (the trailers that carry grpc-status) and RST_STREAM
// from either side. It is the wire's word on whether a server's status went out
// before a client's reset came in, independent of both peers' code.
//
// With `record`, it also keeps a transcript of every stream, frame by frame in the
// order they passed, both directions: header blocks decoded (support/hpack.ts), the
// gRPC messages the DATA frames carry (reassembled across frames), END_STREAM and
// RST_STREAM; and per connection the frames that are not about one stream (SETTINGS,
// PING, GOAWAY; WINDOW_UPDATE is left out, its timing is noise).
import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { HpackDecoder } from "./hpack.js";
import type { HeaderField } from "./hpack.js";
import { listenLocal } from "../../support/listen.js";

/** A stream-ending frame as it passed the proxy. */
export interface WireEvent {
  /** Order of passing, over all connections. */
  readonly seq: number;
  /** Which accepted connection, from 0. */
  readonly connection: number;
  readonly stream: number;
  readonly what: "server trailers" | "server reset" | "client reset";
}

export type Side = "client" | "server";

/** One frame of a stream, as it passed: `from` is the side that sent it. */
export type StreamFrame = { readonly seq: number; readonly from: Side } & (
  | { readonly kind: "headers"; readonly headers: readonly HeaderField[]; readonly endStream: boolean }
  /** A whole gRPC message: its compressed flag, its length prefix and its bytes. */
  | { readonly kind: "message"; readonly compressed: number; readonly length: number; readonly bytes: Buffer }
  /** The stream ended (END_STREAM, or RST_STREAM) with this many bytes of an unfinished message. */
  | { readonly kind: "incomplete"; readonly bytes: number }
  /** END_STREAM on a DATA frame, after the messages it carried. */
  | { readonly kind: "end-stream" }
  | { readonly kind: "rst"; readonly code: number }
);

/** A frame about the connection rather than one stream. */
export type ConnectionFrame = { readonly seq: number; readonly from: Side } & (
  | { readonly kind: "settings"; readonly ack: boolean; readonly settings: Readonly<Record<number, number>> }
  | { readonly kind: "ping"; readonly ack: boolean }
  | { readonly kind: "goaway"; readonly lastStream: number; readonly code: number }
);

/** What the proxy recorded of one accepted connection. */
export interface RecordedConnection {
  readonly index: number;
  /** Frames by stream id, in the order they passed. */
  readonly streams: ReadonlyMap<number, readonly StreamFrame[]>;
  readonly frames: readonly ConnectionFrame[];
  readonly closed: boolean;
}

export interface H2ProxyOptions {
  /** Keep transcripts of every stream (`connections`). */
  readonly record?: boolean;
  /**
   * Hide the server's SETTINGS_MAX_CONCURRENT_STREAMS from the client, and the client's
   * acknowledgement of the server's SETTINGS from the server. The client then opens
   * streams over the server's limit, and the server, whose new settings are still
   * unacknowledged, refuses them with RST_STREAM(REFUSED_STREAM) instead of treating
   * them as a protocol error (RFC 9113 section 5.1.2): the refusal a server sends to a
   * client that has not yet seen its settings, made to happen on demand.
   */
  readonly hideStreamLimit?: boolean;
  /**
   * Keep the server's RST_STREAM(REFUSED_STREAM) frames from the client until `passHeld()`.
   * A client retries a refused stream as soon as it learns of the refusal; holding it lets
   * a test decide what the server has open when the retry comes.
   */
  readonly holdRefusals?: boolean;
}

export interface H2Proxy {
  readonly port: number;
  readonly events: readonly WireEvent[];
  /** Every accepted connection, in order (transcripts only with `record`). */
  readonly connections: readonly RecordedConnection[];
  /** Resolves once every connection accepted so far (from the `from`th on) has closed; rejects after `timeoutMs`. */
  idle(timeoutMs: number, from?: number): Promise<void>;
  /** Resolves once `condition` holds, checked on every frame and close; rejects after `timeoutMs` naming `what`. */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Sends the frames held so far (`holdRefusals`) on to their clients, in the order they came. */
  passHeld(): void;
  close(): Promise<void>;
}

const PREFACE_LENGTH = 24;
const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const PING = 0x6;
const GOAWAY = 0x7;
const REFUSED_STREAM = 0x7;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 0x1;
const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;

/** One frame off the wire. */
interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
  readonly payload: Buffer;
  /** The whole frame, header included. */
  readonly raw: Buffer;
}

/** Splits one direction of a connection into frames, after `skip` bytes (the client's preface). */
function frameReader(skip: number, onFrame: (frame: Frame) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let toSkip = skip;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    if (toSkip > 0) {
      const skipped = Math.min(toSkip, pending.length);
      pending = pending.subarray(skipped);
      toSkip -= skipped;
    }
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      const raw = pending.subarray(0, 9 + length);
      onFrame({ type: raw.readUInt8(3), flags: raw.readUInt8(4), stream: raw.readUInt32BE(5) & 0x7fffffff, payload: raw.subarray(9), raw });
      pending = pending.subarray(9 + length);
    }
  };
}

/** The payload of a HEADERS or DATA frame without its padding (and HEADERS' priority fields). */
function unpadded(frame: Frame): Buffer {
  let payload = frame.payload;
  if ((frame.flags & PADDED) !== 0) {
    const padLength = payload.readUInt8(0);
    payload = payload.subarray(1, payload.length - padLength);
  }
  if (frame.type === HEADERS && (frame.flags & PRIORITY) !== 0) {
    payload = payload.subarray(5);
  }
  return payload;
}

function settingsOf(payload: Buffer): Record<number, number> {
  const settings: Record<number, number> = {};
  for (let offset = 0; offset + 6 <= payload.length; offset += 6) {
    settings[payload.readUInt16BE(offset)] = payload.readUInt32BE(offset + 2);
  }
  return settings;
}

/** A SETTINGS frame without the parameter `id`. */
function withoutSetting(frame: Frame, id: number): Buffer {
  const kept: Buffer[] = [];
  for (let offset = 0; offset + 6 <= frame.payload.length; offset += 6) {
    if (frame.payload.readUInt16BE(offset) !== id) kept.push(frame.payload.subarray(offset, offset + 6));
  }
  const payload = Buffer.concat(kept);
  const head = Buffer.from(frame.raw.subarray(0, 9));
  head.writeUIntBE(payload.length, 0, 3);
  return Buffer.concat([head, payload]);
}

/** The transcript of one direction of one connection: header blocks decoded in order, messages reassembled. */
class DirectionRecorder {
  readonly hpack = new HpackDecoder();
  private block: { stream: number; flags: number; fragments: Buffer[] } | undefined;
  /** Bytes of an unfinished gRPC message, per stream. */
  private readonly partial = new Map<number, Buffer>();

  constructor(
    private readonly from: Side,
    private readonly connection: { streams: Map<number, StreamFrame[]>; frames: ConnectionFrame[] },
    private readonly nextSeq: () => number,
  ) {}

  frame(frame: Frame): void {
    const seq = this.nextSeq();
    const from = this.from;
    switch (frame.type) {
      case HEADERS:
        this.block = { stream: frame.stream, flags: frame.flags, fragments: [unpadded(frame)] };
        if ((frame.flags & END_HEADERS) !== 0) this.endBlock(seq);
        return;
      case CONTINUATION:
        this.block?.fragments.push(frame.payload);
        if ((frame.flags & END_HEADERS) !== 0) this.endBlock(seq);
        return;
      case DATA: {
        let pending = Buffer.concat([this.partial.get(frame.stream) ?? Buffer.alloc(0), unpadded(frame)]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const length = pending.readUInt32BE(1);
          this.push(frame.stream, { seq, from, kind: "message", compressed: pending.readUInt8(0), length, bytes: Buffer.from(pending.subarray(5, 5 + length)) });
          pending = pending.subarray(5 + length);
        }
        this.partial.set(frame.stream, pending);
        if ((frame.flags & END_STREAM) !== 0) {
          this.flushPartial(frame.stream, seq);
          this.push(frame.stream, { seq, from, kind: "end-stream" });
        }
        return;
      }
      case RST_STREAM:
        this.flushPartial(frame.stream, seq);
        this.push(frame.stream, { seq, from, kind: "rst", code: frame.payload.readUInt32BE(0) });
        return;
      case SETTINGS:
        this.connection.frames.push({ seq, from, kind: "settings", ack: (frame.flags & ACK) !== 0, settings: settingsOf(frame.payload) });
        return;
      case PING:
        this.connection.frames.push({ seq, from, kind: "ping", ack: (frame.flags & ACK) !== 0 });
        return;
      case GOAWAY:
        this.connection.frames.push({ seq, from, kind: "goaway", lastStream: frame.payload.readUInt32BE(0) & 0x7fffffff, code: frame.payload.readUInt32BE(4) });
        return;
      default:
      // WINDOW_UPDATE, PRIORITY and unknown types: not part of a transcript.
    }
  }

  private endBlock(seq: number): void {
    const block = this.block;
    if (block === undefined) return;
    this.block = undefined;
    const headers = this.hpack.decode(Buffer.concat(block.fragments));
    const endStream = (block.flags & END_STREAM) !== 0;
    if (endStream) this.flushPartial(block.stream, seq);
    this.push(block.stream, { seq, from: this.from, kind: "headers", headers, endStream });
  }

  private flushPartial(stream: number, seq: number): void {
    const left = this.partial.get(stream)?.length ?? 0;
    if (left > 0) this.push(stream, { seq, from: this.from, kind: "incomplete", bytes: left });
    this.partial.delete(stream);
  }

  private push(stream: number, frame: StreamFrame): void {
    const frames = this.connection.streams.get(stream) ?? [];
    frames.push(frame);
    this.connection.streams.set(stream, frames);
  }
}

export async function startH2Proxy(targetPort: number, options: H2ProxyOptions = {}): Promise<H2Proxy> {
  const events: WireEvent[] = [];
  const sockets = new Set<Socket>();
  const connections: { index: number; streams: Map<number, StreamFrame[]>; frames: ConnectionFrame[]; closed: boolean }[] = [];
  /** Checks to run whenever something passed or a connection closed. */
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of waiters) waiter();
  };
  const waitFor = (condition: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`h2 proxy: not ${what} after ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  let seq = 0;
  const nextSeq = (): number => seq++;
  const held: { to: Socket; raw: Buffer }[] = [];
  const server: Server = createServer((client) => {
    const recorded = { index: connections.length, streams: new Map<number, StreamFrame[]>(), frames: [] as ConnectionFrame[], closed: false };
    connections.push(recorded);
    const connection = recorded.index;
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const log = (what: WireEvent["what"], stream: number): void => {
      events.push({ seq: nextSeq(), connection, stream, what });
    };
    const clientRecorder = options.record === true ? new DirectionRecorder("client", recorded, nextSeq) : undefined;
    const serverRecorder = options.record === true ? new DirectionRecorder("server", recorded, nextSeq) : undefined;
    // Frame by frame only when frames are rewritten or held; otherwise chunks pass as they came.
    const byFrame = options.hideStreamLimit === true || options.holdRefusals === true;
    const hideLimit = options.hideStreamLimit === true;
    let prefaceLeft = PREFACE_LENGTH;
    const fromClient = frameReader(PREFACE_LENGTH, (frame) => {
      if (frame.type === RST_STREAM) log("client reset", frame.stream);
      if (frame.type === SETTINGS && (frame.flags & ACK) === 0) {
        const size = settingsOf(frame.payload)[SETTINGS_HEADER_TABLE_SIZE];
        if (size !== undefined) serverRecorder?.hpack.setLimit(size);
      }
      clientRecorder?.frame(frame);
      if (byFrame && !(hideLimit && frame.type === SETTINGS && (frame.flags & ACK) !== 0)) upstream.write(frame.raw);
    });
    const fromServer = frameReader(0, (frame) => {
      if (frame.type === HEADERS && (frame.flags & END_STREAM) !== 0) log("server trailers", frame.stream);
      if (frame.type === RST_STREAM) log("server reset", frame.stream);
      if (frame.type === SETTINGS && (frame.flags & ACK) === 0) {
        const size = settingsOf(frame.payload)[SETTINGS_HEADER_TABLE_SIZE];
        if (size !== undefined) clientRecorder?.hpack.setLimit(size);
      }
      serverRecorder?.frame(frame);
      if (!byFrame) return;
      if (options.holdRefusals === true && frame.type === RST_STREAM && frame.payload.readUInt32BE(0) === REFUSED_STREAM) {
        held.push({ to: client, raw: frame.raw });
      } else {
        client.write(hideLimit && frame.type === SETTINGS && (frame.flags & ACK) === 0 ? withoutSetting(frame, SETTINGS_MAX_CONCURRENT_STREAMS) : frame.raw);
      }
    });
    client.on("data", (chunk: Buffer) => {
      if (byFrame && prefaceLeft > 0) {
        upstream.write(chunk.subarray(0, prefaceLeft));
        prefaceLeft -= Math.min(prefaceLeft, chunk.length);
      }
      fromClient(chunk);
      if (!byFrame) upstream.write(chunk);
      notify();
    });
    upstream.on("data", (chunk: Buffer) => {
      fromServer(chunk);
      if (!byFrame) client.write(chunk);
      notify();
    });
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      if (!recorded.closed) {
        recorded.closed = true;
        notify();
      }
    };
    client.on("close", closeBoth).on("error", closeBoth);
    upstream.on("close", closeBoth).on("error", closeBoth);
  });
  const port = await listenLocal(server);
  return {
    port,
    events,
    connections,
    idle: (timeoutMs, from = 0) => {
      const open = (): number[] => connections.slice(from).filter((c) => !c.closed).map((c) => c.index);
      return waitFor(() => open().length === 0, timeoutMs, `idle: connections ${JSON.stringify(open())} still open`);
    },
    waitFor,
    passHeld: () => {
      for (const { to, raw } of held.splice(0)) to.write(raw);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
