/**
 * Hand-rolled capture bytes for the reader tests, written field by field from
 * the format descriptions and independent of src/capture's writers, so that a
 * mistake shared by reader and writer cannot hide.
 */

class Bytes {
  private readonly parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  /** pcapng timestamps: high word first, each word in the section's byte order. */
  ts(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface PcapRecord {
  sec: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  frac: number;
  data: Uint8Array;
  origLen?: number;
  /** Override the caplen field (to build damaged files). */
  caplen?: number;
}

export function pcapFile(
  opts: { le: boolean; nano: boolean; linkType: number; snapLen?: number; linkWord?: number },
  records: PcapRecord[],
): Uint8Array {
  const b = new Bytes(opts.le);
  b.u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0);
  b.u32(opts.snapLen ?? 65535).u32(opts.linkWord ?? opts.linkType);
  for (const r of records) {
    b.u32(r.sec).u32(r.frac).u32(r.caplen ?? r.data.length).u32(r.origLen ?? r.data.length).raw(r.data);
  }
  return b.bytes();
}

export type Option = [code: number, value: Uint8Array];

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const u8 = (v: number): Uint8Array => Uint8Array.of(v);

/** pcapng file built block by block; each section has its own byte order. */
export class PcapngBuilder {
  private readonly blocks: Uint8Array[] = [];
  private le = true;

  private block(type: number, body: (b: Bytes) => void, options: Option[] = []): this {
    const b = new Bytes(this.le);
    body(b);
    b.pad4();
    for (const [code, value] of options) b.u16(code).u16(value.length).raw(value).pad4();
    if (options.length) b.u32(0);
    const len = 12 + b.length;
    const out = new Bytes(this.le).u32(type).u32(len).raw(b.bytes()).u32(len);
    this.blocks.push(out.bytes());
    return this;
  }

  section(le: boolean, options: Option[] = []): this {
    this.le = le;
    return this.block(0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn), options);
  }

  idb(linkType: number, opts: { snapLen?: number; name?: string; tsresol?: number; tsoffset?: bigint; fcslen?: number } = {}): this {
    const options: Option[] = [];
    if (opts.name !== undefined) options.push([2, text(opts.name)]);
    if (opts.tsresol !== undefined) options.push([9, u8(opts.tsresol)]);
    if (opts.fcslen !== undefined) options.push([13, u8(opts.fcslen)]);
    if (opts.tsoffset !== undefined) options.push([14, new Bytes(this.le).u64(opts.tsoffset).bytes()]);
    return this.block(1, (b) => b.u16(linkType).u16(0).u32(opts.snapLen ?? 0), options);
  }

  epb(iface: number, ts: bigint, data: Uint8Array, opts: { origLen?: number; flags?: number } = {}): this {
    const options: Option[] = opts.flags === undefined ? [] : [[2, new Bytes(this.le).u32(opts.flags).bytes()]];
    return this.block(
      6,
      (b) => b.u32(iface).ts(ts).u32(data.length).u32(opts.origLen ?? data.length).raw(data),
      options,
    );
  }

  spb(data: Uint8Array, origLen = data.length): this {
    return this.block(3, (b) => b.u32(origLen).raw(data));
  }

  /** Obsolete Packet Block (type 2). */
  pb(iface: number, ts: bigint, data: Uint8Array, opts: { origLen?: number; flags?: number } = {}): this {
    const options: Option[] = opts.flags === undefined ? [] : [[2, new Bytes(this.le).u32(opts.flags).bytes()]];
    return this.block(
      2,
      (b) => b.u16(iface).u16(0).ts(ts).u32(data.length).u32(opts.origLen ?? data.length).raw(data),
      options,
    );
  }

  /** Any other block, e.g. NRB (4), ISB (5), custom (0x00000bad). */
  other(type: number, body: Uint8Array): this {
    return this.block(type, (b) => b.raw(body));
  }

  /** Raw bytes appended as they are (for damaged files). */
  rawBytes(bytes: Uint8Array): this {
    this.blocks.push(bytes);
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.blocks.reduce((n, b) => n + b.length, 0));
    let off = 0;
    for (const b of this.blocks) {
      out.set(b, off);
      off += b.length;
    }
    return out;
  }
}

/** A recognisable packet body of `n` bytes (first byte `tag`). */
export function payload(tag: number, n: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (tag + i * 7) & 0xff;
  return d;
}
