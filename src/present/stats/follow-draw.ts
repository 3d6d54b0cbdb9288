/**
 * The report of `-z follow`, in tshark 4.0's layout: a banner naming the
 * stream and its two nodes, then each chunk, the second node's indented by
 * a tab (ascii and ebcdic: the byte count line; hex: every line; raw: the
 * line), then the closing banner. yaml lists the peers and each chunk with
 * its packet, time and base64 data instead.
 */
import type { FollowMode } from './follow-args.js';
import type { FollowRecord } from './follow-tcp.js';

export interface FollowNode {
  /** Address text, empty when no packet was followed. */
  readonly addr: string;
  readonly v6: boolean;
  readonly port: number;
}

export interface FollowReport {
  readonly proto: string;
  readonly mode: FollowMode;
  readonly filterText: string;
  readonly nodes: readonly [FollowNode, FollowNode];
  readonly records: readonly FollowRecord[];
  readonly chunkMin: number;
  readonly chunkMax: number;
}

const SEPARATOR = '='.repeat(67) + '\n';
/** Bytes per hex dump line; the offset column is 8 hex digits, the text column starts at 60. */
const LINE = 16;
const TEXT_COLUMN = 60;
const DOT = 0x2e;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const HEX_UPPER = new TextEncoder().encode('0123456789ABCDEF');

/**
 * What tshark's ebcdic mode prints for the characters its ascii pass leaves
 * (printable ASCII, from the space on), as observed: that pass turns every
 * other byte into '.', and the result is then read as EBCDIC.
 */
const EBCDIC_OF_PRINTABLE = new TextEncoder().encode(" !\"#$%&'()*+,-./..23456789:;<=.? ...........<(+|&.........!$*);^-/........|,%_>?..........:#@'=");

const printable = (b: number): boolean => b >= 0x20 && b < 0x7f;

/**
 * The report's characters, all ASCII, gathered as bytes: a stream's dump
 * runs to megabytes, and strings grown a character at a time are several
 * times slower to build.
 */
class AsciiOut {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  /** Room for `n` more bytes; the index to write them at. */
  reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  /** Gives back what was reserved past `end`. */
  cut(end: number): void {
    this.len = end;
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  byte(b: number): void {
    this.buf[this.reserve(1)] = b;
  }

  text(s: string): void {
    const at = this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
  }

  toString(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.len));
  }
}

export function drawFollow(r: FollowReport): string {
  const out = new AsciiOut();
  out.text(r.mode === 'yaml' ? yamlHeader(r.nodes) : textHeader(r));
  const offsets = [0, 0];
  let chunk = 0;
  for (const rec of r.records) {
    chunk++;
    const side = rec.server ? 1 : 0;
    const offset = offsets[side]!;
    // Chunks left out of the range still move their side's hex offset.
    offsets[side] = (offset + rec.data.length) >>> 0;
    if (chunk < r.chunkMin || chunk > r.chunkMax) continue;
    drawChunk(out, r.mode, rec, offset);
  }
  if (r.mode !== 'yaml') out.text(SEPARATOR);
  return out.toString();
}

function nodeText(n: FollowNode): string {
  return n.v6 ? `[${n.addr}]:${n.port}` : `${n.addr}:${n.port}`;
}

function textHeader(r: FollowReport): string {
  return `\n${SEPARATOR}Follow: ${r.proto},${r.mode}\nFilter: ${r.filterText}\n`
    + `Node 0: ${nodeText(r.nodes[0])}\nNode 1: ${nodeText(r.nodes[1])}\n`;
}

function yamlHeader(nodes: readonly [FollowNode, FollowNode]): string {
  const peer = (i: number, n: FollowNode): string => `  - peer: ${i}\n    host: ${n.addr}\n    port: ${n.port}\n`;
  return `peers:\n${peer(0, nodes[0])}${peer(1, nodes[1])}packets:\n`;
}

function drawChunk(out: AsciiOut, mode: FollowMode, rec: FollowRecord, offset: number): void {
  const indent = rec.server;
  switch (mode) {
    case 'ascii':
    case 'ebcdic':
      out.text(`${indent ? '\t' : ''}${rec.data.length}\n`);
      asciiText(out, rec.data, mode === 'ebcdic');
      return;
    case 'raw':
      if (indent) out.byte(TAB);
      hexText(out, rec.data);
      out.byte(LF);
      return;
    case 'hex': hexDump(out, rec.data, offset, indent); return;
    case 'yaml': yamlChunk(out, rec); return;
  }
}

/**
 * Printable ASCII as is, CR and LF kept, every other byte a dot, then a
 * line end; in ebcdic mode that text is then translated as tshark does.
 */
function asciiText(out: AsciiOut, data: Uint8Array, ebcdic: boolean): void {
  const at = out.reserve(data.length + 1);
  const buf = out.bytes;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    const c = printable(b) || b === LF || b === CR ? b : DOT;
    buf[at + i] = ebcdic && c >= SPACE ? EBCDIC_OF_PRINTABLE[c - SPACE]! : c;
  }
  buf[at + data.length] = LF;
}

function hexText(out: AsciiOut, data: Uint8Array): void {
  const at = out.reserve(data.length * 2);
  const buf = out.bytes;
  for (let i = 0; i < data.length; i++) {
    buf[at + 2 * i] = HEX_DIGITS[data[i]! >> 4]!;
    buf[at + 2 * i + 1] = HEX_DIGITS[data[i]! & 15]!;
  }
}

/** Offset, 16 bytes in two groups of 8, then their text in two groups; the offset counts the side's bytes so far. */
function hexDump(out: AsciiOut, data: Uint8Array, offset: number, indent: boolean): void {
  for (let i = 0; i < data.length; i += LINE) {
    const n = Math.min(LINE, data.length - i);
    if (indent) out.byte(TAB);
    // The widest line: offset, hex and text columns, the group space and the line end.
    const at = out.reserve(TEXT_COLUMN + LINE + 2);
    const buf = out.bytes;
    buf.fill(SPACE, at, at + TEXT_COLUMN);
    const lineOffset = (offset + i) >>> 0;
    for (let d = 0; d < 8; d++) buf[at + d] = HEX_UPPER[(lineOffset >>> (28 - 4 * d)) & 15]!;
    let text = at + TEXT_COLUMN;
    for (let j = 0; j < n; j++) {
      const b = data[i + j]!;
      const h = at + 10 + 3 * j + (j >= LINE / 2 ? 1 : 0);
      buf[h] = HEX_DIGITS[b >> 4]!;
      buf[h + 1] = HEX_DIGITS[b & 15]!;
      buf[text++] = printable(b) ? b : DOT;
      if (j === LINE / 2 - 1) buf[text++] = SPACE;
    }
    // tshark drops one trailing space of the text: the group separator, or a space byte that ends the line.
    if (buf[text - 1] === SPACE) text--;
    buf[text++] = LF;
    out.cut(text);
  }
}

function yamlChunk(out: AsciiOut, rec: FollowRecord): void {
  // tshark prints the time as a double with 9 decimals: the same double prints the same digits here.
  const ts = (rec.tsSec + rec.tsNsec / 1e9).toFixed(9);
  out.text(`  - packet: ${rec.packet}\n    peer: ${rec.server ? 1 : 0}\n    timestamp: ${ts}\n    data: !!binary |\n`);
  // 57 bytes encode to 76 characters, the usual line length.
  for (let i = 0; i < rec.data.length; i += 57) out.text(`      ${base64(rec.data.subarray(i, i + 57))}\n`);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]!;
    s += i + 1 < b.length ? B64[(n >> 6) & 63]! : '=';
    s += i + 2 < b.length ? B64[n & 63]! : '=';
  }
  return s;
}
