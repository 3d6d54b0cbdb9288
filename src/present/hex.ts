/**
 * Hex dump in the layout of `tshark -x`: an offset column, sixteen bytes per
 * line separated by single spaces, and the printable-ASCII rendering of the
 * same bytes (anything outside 0x20..0x7e becomes a dot).
 */

const HEX_BYTE: string[] = [];
const ASCII_BYTE: string[] = [];
for (let i = 0; i < 256; i++) {
  HEX_BYTE.push(i.toString(16).padStart(2, '0'));
  ASCII_BYTE.push(i >= 0x20 && i < 0x7f ? String.fromCharCode(i) : '.');
}

const BYTES_PER_LINE = 16;
/** Width of the hex column: "xx " per byte. */
const HEX_WIDTH = BYTES_PER_LINE * 3;

export interface HexOptions {
  /** Offset printed for the first byte (default 0). */
  baseOffset?: number;
}

/** Digits of the offset column: four, or as many as the last offset needs. */
function offsetDigits(lastOffset: number): number {
  return Math.max(4, lastOffset.toString(16).length);
}

/**
 * Formats `data` as tshark prints a data source with `-x` (no trailing
 * newline; one line per 16 bytes). An empty input gives an empty string.
 */
export function formatHex(data: Uint8Array, opts: HexOptions = {}): string {
  const base = opts.baseOffset ?? 0;
  const n = data.length;
  if (n === 0) return '';
  const digits = offsetDigits(base + n - 1);
  let out = '';
  for (let lineStart = 0; lineStart < n; lineStart += BYTES_PER_LINE) {
    const lineEnd = Math.min(lineStart + BYTES_PER_LINE, n);
    let hex = '';
    let ascii = '';
    for (let i = lineStart; i < lineEnd; i++) {
      const b = data[i]!;
      hex += HEX_BYTE[b]! + ' ';
      ascii += ASCII_BYTE[b]!;
    }
    if (lineStart !== 0) out += '\n';
    out += (base + lineStart).toString(16).padStart(digits, '0') + '  ' + hex.padEnd(HEX_WIDTH) + '  ' + ascii;
  }
  return out;
}
