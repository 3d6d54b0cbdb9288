/**
 * The report of `-z follow`, in tshark 4.0's layout: a banner naming the
 * stream and its two nodes, then each chunk, the second node's indented by
 * a tab (ascii and ebcdic: the byte count line; hex: every line; raw: the
 * line), then the closing banner. yaml lists the peers and each chunk with
 * its packet, time and base64 data instead.
 */
import { hexString } from '../tshark/addr.js';
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

/**
 * What tshark's ebcdic mode prints for the characters its ascii pass leaves
 * (printable ASCII, from the space on), as observed: that pass turns every
 * other byte into '.', and the result is then read as EBCDIC.
 */
const EBCDIC_OF_PRINTABLE = " !\"#$%&'()*+,-./..23456789:;<=.? ...........<(+|&.........!$*);^-/........|,%_>?..........:#@'=";

const printable = (b: number): boolean => b >= 0x20 && b < 0x7f;

export function drawFollow(r: FollowReport): string {
  const out: string[] = [r.mode === 'yaml' ? yamlHeader(r.nodes) : textHeader(r)];
  const offsets = [0, 0];
  let chunk = 0;
  for (const rec of r.records) {
    chunk++;
    const side = rec.server ? 1 : 0;
    const offset = offsets[side]!;
    // Chunks left out of the range still move their side's hex offset.
    offsets[side] = (offset + rec.data.length) >>> 0;
    if (chunk < r.chunkMin || chunk > r.chunkMax) continue;
    out.push(drawChunk(r.mode, rec, offset));
  }
  if (r.mode !== 'yaml') out.push(SEPARATOR);
  return out.join('');
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

function drawChunk(mode: FollowMode, rec: FollowRecord, offset: number): string {
  const indent = rec.server ? '\t' : '';
  switch (mode) {
    case 'ascii': return `${indent}${rec.data.length}\n${asciiText(rec.data)}\n`;
    case 'ebcdic': return `${indent}${rec.data.length}\n${ebcdicText(asciiText(rec.data) + '\n')}`;
    case 'raw': return `${indent}${hexString(rec.data)}\n`;
    case 'hex': return hexDump(rec.data, offset, indent);
    case 'yaml': return yamlChunk(rec);
  }
}

/** Printable ASCII as is, CR and LF kept, every other byte a dot. */
function asciiText(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += printable(b) || b === 0x0a || b === 0x0d ? String.fromCharCode(b) : '.';
  return s;
}

function ebcdicText(ascii: string): string {
  let s = '';
  for (let i = 0; i < ascii.length; i++) {
    const c = ascii.charCodeAt(i);
    s += c >= 0x20 ? EBCDIC_OF_PRINTABLE[c - 0x20]! : ascii[i]!;
  }
  return s;
}

/** Offset, 16 bytes in two groups of 8, then their text in two groups; the offset counts the side's bytes so far. */
function hexDump(data: Uint8Array, offset: number, indent: string): string {
  let out = '';
  for (let i = 0; i < data.length; i += LINE) {
    const n = Math.min(LINE, data.length - i);
    let hex = '';
    let text = '';
    for (let j = 0; j < n; j++) {
      const b = data[i + j]!;
      hex += hexString(data, i + j, 1) + ' ';
      text += printable(b) ? String.fromCharCode(b) : '.';
      if (j === LINE / 2 - 1) {
        hex += ' ';
        text += ' ';
      }
    }
    const head = ((offset + i) >>> 0).toString(16).toUpperCase().padStart(8, '0') + '  ';
    // tshark drops one trailing space of the text: the group separator, or a space byte that ends the line.
    out += indent + (head + hex).padEnd(TEXT_COLUMN) + (text.endsWith(' ') ? text.slice(0, -1) : text) + '\n';
  }
  return out;
}

function yamlChunk(rec: FollowRecord): string {
  // tshark prints the time as a double with 9 decimals: the same double prints the same digits here.
  const ts = (rec.tsSec + rec.tsNsec / 1e9).toFixed(9);
  let s = `  - packet: ${rec.packet}\n    peer: ${rec.server ? 1 : 0}\n    timestamp: ${ts}\n    data: !!binary |\n`;
  // 57 bytes encode to 76 characters, the usual line length.
  for (let i = 0; i < rec.data.length; i += 57) s += `      ${base64(rec.data.subarray(i, i + 57))}\n`;
  return s;
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
