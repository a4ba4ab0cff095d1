// An HPACK decoder (RFC 7541) for the frame proxy: it turns the header blocks that pass
// between two HTTP/2 peers back into header lists, so the tests can compare what went
// on the wire. One decoder per direction of a connection, fed every header block of
// that direction in order: the dynamic table is shared by all streams.

/** A decoded header field, as it was on the wire (names are lowercase in HTTP/2). */
export type HeaderField = readonly [name: string, value: string];

/** Appendix A. */
const STATIC_TABLE: readonly HeaderField[] = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

/**
 * The bit length of each symbol's Huffman code (Appendix B), symbols 0 to 255 and EOS
 * (256). The code is canonical: codes of one length are consecutive, in symbol order,
 * and each length starts where the shorter ones left off, so the lengths alone give
 * the codes (`huffmanCodes`).
 */
// prettier-ignore
export const HUFFMAN_CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // ' ' to '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // '0' to '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // '@' to 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 'P' to '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // '`' to 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 'p' to 127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
  30, // EOS
];

const EOS = 256;

/** The canonical codes of `HUFFMAN_CODE_LENGTHS`, by symbol. */
export function huffmanCodes(): number[] {
  const symbols = HUFFMAN_CODE_LENGTHS.map((length, symbol) => ({ length, symbol })).sort((a, b) => a.length - b.length || a.symbol - b.symbol);
  const codes = new Array<number>(HUFFMAN_CODE_LENGTHS.length).fill(0);
  let code = 0;
  let length = symbols[0]?.length ?? 0;
  for (const entry of symbols) {
    code *= 2 ** (entry.length - length);
    length = entry.length;
    codes[entry.symbol] = code;
    code += 1;
  }
  return codes;
}

/** The Huffman codes as a binary tree: a node is a symbol (leaf) or its two children. */
type HuffmanNode = number | [HuffmanNode | undefined, HuffmanNode | undefined];

const HUFFMAN_TREE: HuffmanNode = (() => {
  const root: [HuffmanNode | undefined, HuffmanNode | undefined] = [undefined, undefined];
  huffmanCodes().forEach((code, symbol) => {
    const length = HUFFMAN_CODE_LENGTHS[symbol] ?? 0;
    let node = root;
    for (let bit = length - 1; bit > 0; bit--) {
      const side = Math.floor(code / 2 ** bit) % 2;
      const next = node[side] ?? [undefined, undefined];
      if (typeof next === "number") throw new Error(`hpack: Huffman code of ${String(symbol)} is not prefix-free`);
      node[side] = next;
      node = next;
    }
    node[code % 2] = symbol;
  });
  return root;
})();

/** Section 5.2: at most 7 bits of padding, all ones (the start of EOS); EOS itself is an error. */
export function huffmanDecode(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  let node: HuffmanNode = HUFFMAN_TREE;
  let pending = 0;
  let allOnes = true;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const side = (byte >> bit) & 1;
      if (typeof node === "number") throw new Error("hpack: Huffman decoder in a leaf");
      const next: HuffmanNode | undefined = node[side];
      if (next === undefined) throw new Error("hpack: invalid Huffman code");
      pending += 1;
      allOnes &&= side === 1;
      if (typeof next === "number") {
        if (next === EOS) throw new Error("hpack: EOS in a Huffman string");
        out.push(next);
        node = HUFFMAN_TREE;
        pending = 0;
        allOnes = true;
      } else {
        node = next;
      }
    }
  }
  if (pending > 7 || !allOnes) throw new Error("hpack: invalid Huffman padding");
  return Buffer.from(out);
}

/** Section 4.1: an entry's size is its name and value in octets plus 32. */
const entrySize = ([name, value]: HeaderField): number => Buffer.byteLength(name) + Buffer.byteLength(value) + 32;

/** Decodes header blocks of one direction of one connection, in order. */
export class HpackDecoder {
  /** Newest first, as the index space numbers them (Section 2.3.3). */
  private readonly dynamic: HeaderField[] = [];
  private size = 0;
  private maxSize: number;

  /** `limit`: SETTINGS_HEADER_TABLE_SIZE of the receiving side, 4,096 unless it says otherwise. */
  constructor(private limit = 4096) {
    this.maxSize = limit;
  }

  /** The receiving side announced another SETTINGS_HEADER_TABLE_SIZE: the bound of the encoder's size updates. */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  /** The header list of one complete header block (HEADERS plus any CONTINUATION). */
  decode(block: Uint8Array): HeaderField[] {
    const headers: HeaderField[] = [];
    let offset = 0;
    const integer = (prefixBits: number): number => {
      const first = block[offset++];
      if (first === undefined) throw new Error("hpack: truncated integer");
      const max = 2 ** prefixBits - 1;
      let value = first & max;
      if (value < max) return value;
      for (let shift = 0; ; shift += 7) {
        const byte = block[offset++];
        if (byte === undefined) throw new Error("hpack: truncated integer");
        value += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return value;
      }
    };
    const string = (): string => {
      const huffman = ((block[offset] ?? 0) & 0x80) !== 0;
      const length = integer(7);
      if (offset + length > block.length) throw new Error("hpack: truncated string");
      const raw = block.subarray(offset, offset + length);
      offset += length;
      return (huffman ? huffmanDecode(raw) : Buffer.from(raw)).toString("latin1");
    };
    let sizeUpdateAllowed = true;
    while (offset < block.length) {
      const byte = block[offset] ?? 0;
      if ((byte & 0x80) !== 0) {
        // 6.1: indexed.
        headers.push(this.entry(integer(7)));
      } else if ((byte & 0xc0) === 0x40) {
        // 6.2.1: literal with incremental indexing.
        const index = integer(6);
        const field: HeaderField = [index === 0 ? string() : this.entry(index)[0], string()];
        headers.push(field);
        this.add(field);
      } else if ((byte & 0xe0) === 0x20) {
        // 6.3: dynamic table size update, only at the start of a block.
        if (!sizeUpdateAllowed) throw new Error("hpack: table size update after a header field");
        const size = integer(5);
        if (size > this.limit) throw new Error(`hpack: table size ${String(size)} over the limit ${String(this.limit)}`);
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        // 6.2.2 without indexing (0000), 6.2.3 never indexed (0001).
        const index = integer(4);
        headers.push([index === 0 ? string() : this.entry(index)[0], string()]);
      }
      sizeUpdateAllowed = false;
    }
    return headers;
  }

  /** The entries of the dynamic table, newest first (for tests). */
  get table(): readonly HeaderField[] {
    return this.dynamic;
  }

  private entry(index: number): HeaderField {
    const field = index <= STATIC_TABLE.length ? STATIC_TABLE[index - 1] : this.dynamic[index - STATIC_TABLE.length - 1];
    if (index === 0 || field === undefined) throw new Error(`hpack: no entry ${String(index)}`);
    return field;
  }

  private add(field: HeaderField): void {
    const size = entrySize(field);
    this.evict(size);
    // An entry larger than the table empties it and is not added (Section 4.4).
    if (size <= this.maxSize) {
      this.dynamic.unshift(field);
      this.size += size;
    }
  }

  /** Evicts the oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    while (this.size + room > this.maxSize) {
      const oldest = this.dynamic.pop();
      if (oldest === undefined) break;
      this.size -= entrySize(oldest);
    }
  }
}
