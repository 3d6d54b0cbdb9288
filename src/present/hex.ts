/**
 * Hex dump in the layout of `tshark -x`: an offset column, sixteen bytes per
 * line separated by single spaces, and the printable-ASCII rendering of the
 * same bytes (anything outside 0x20..0x7e becomes a dot).
 *
 * Dumps of whole payloads are the bulk of `-V` and `-x` output, so lines are
 * written as character codes into one reused buffer and decoded once.
 */

const HEX_DIGITS = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const SPACE = 0x20;
const DOT = 0x2e;
const NEWLINE = 0x0a;
const BYTES_PER_LINE = 16;

export interface HexOptions {
  /** Offset printed for the first byte (default 0). */
  baseOffset?: number;
}

let scratch = new Uint8Array(1 << 16);
const decoder = new TextDecoder('latin1');

/**
 * Formats `data` as tshark prints a data source with `-x` (no trailing
 * newline; one line per 16 bytes). An empty input gives an empty string.
 */
export function formatHex(data: Uint8Array, opts: HexOptions = {}): string {
  const base = opts.baseOffset ?? 0;
  const n = data.length;
  if (n === 0) return '';
  // Four offset digits, or as many as the last offset needs.
  const digits = Math.max(4, (base + n - 1).toString(16).length);
  const lineLength = digits + 2 + BYTES_PER_LINE * 3 + 2 + BYTES_PER_LINE + 1;
  const lines = Math.ceil(n / BYTES_PER_LINE);
  if (scratch.length < lines * lineLength) scratch = new Uint8Array(lines * lineLength * 2);
  const out = scratch;
  let p = 0;
  for (let lineStart = 0; lineStart < n; lineStart += BYTES_PER_LINE) {
    const offset = base + lineStart;
    for (let d = digits - 1; d >= 0; d--) out[p++] = HEX_DIGITS[d < 8 ? (offset >>> (4 * d)) & 15 : 0]!;
    out[p++] = SPACE;
    out[p++] = SPACE;
    const count = Math.min(BYTES_PER_LINE, n - lineStart);
    for (let i = 0; i < count; i++) {
      const b = data[lineStart + i]!;
      out[p] = HEX_DIGITS[b >> 4]!;
      out[p + 1] = HEX_DIGITS[b & 15]!;
      out[p + 2] = SPACE;
      p += 3;
    }
    // A short last line keeps the ASCII column where the full lines have it.
    for (let i = count * 3; i < BYTES_PER_LINE * 3; i++) out[p++] = SPACE;
    out[p++] = SPACE;
    out[p++] = SPACE;
    for (let i = 0; i < count; i++) {
      const b = data[lineStart + i]!;
      out[p++] = b >= 0x20 && b < 0x7f ? b : DOT;
    }
    out[p++] = NEWLINE;
  }
  return decoder.decode(out.subarray(0, p - 1));
}
