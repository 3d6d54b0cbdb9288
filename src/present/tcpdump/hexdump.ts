/**
 * tcpdump's two hex dump layouts: `0x0000:  4a4e 6961 9bc6` (hex only, used
 * for option payloads under -vv) and the same with an ASCII column (what it
 * prints for frames it has no printer for).
 */
import { hex2, hex4 } from './addr.js';

/** Hex-only lines, each starting with `indent`. */
export function hexLines(indent: string, d: Uint8Array, start: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 2) {
    if (i % 16 === 0) s += indent + '0x' + hex4(i) + ': ';
    s += ' ' + hex2(d[start + i]!) + (i + 1 < n ? hex2(d[start + i + 1]!) : '');
  }
  return s;
}

/** Hex and ASCII lines (16 bytes each), each starting with `indent`. */
export function hexAsciiLines(indent: string, d: Uint8Array, start: number, n: number): string {
  let s = '';
  for (let line = 0; line < n; line += 16) {
    const end = Math.min(n, line + 16);
    let hexPart = '';
    let ascii = '';
    for (let i = line; i < end; i += 2) {
      hexPart += ' ' + hex2(d[start + i]!) + (i + 1 < end ? hex2(d[start + i + 1]!) : '');
    }
    for (let i = line; i < end; i++) {
      const c = d[start + i]!;
      ascii += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    s += indent + '0x' + hex4(line) + ': ' + hexPart.padEnd(40) + '  ' + ascii;
  }
  return s;
}
