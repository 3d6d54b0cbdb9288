/**
 * The one error a display filter can raise: what is wrong and where, so the
 * CLI can show the filter with a caret under the offending place, as tshark
 * does:
 *
 * ```
 * "tcp.prot" is not a valid protocol or field name.
 *     tcp.prot == 1
 *     ^~~~~~~~
 * ```
 *
 * The hint, when there is one ("Did you mean: tcp.port, ip.proto,
 * tcp.ack?"), stays in `hint`, where the CLI finds every error's hint.
 */
import { MpscopeError } from '../util/errors.js';

/** Indentation of the echoed filter and caret lines, as tshark indents them. */
const INDENT = '    ';

export class FilterError extends MpscopeError {
  /** Offset of the offending text in the filter (UTF-16 code units, 0..text length). */
  readonly position: number;
  /** Length of the offending text; 0 at the end of the filter. */
  readonly length: number;

  constructor(message: string, position: number, length: number, hint?: string) {
    super('FILTER', message, hint);
    this.position = Math.max(0, position);
    this.length = Math.max(0, length);
  }

  /**
   * The message, the filter and a `^~~~` line under the offending span.
   * Control characters in the filter are shown as spaces so the caret stays
   * under its place.
   */
  render(filterText: string): string {
    const shown = filterText.replace(/[\t\n\r\v\f]/g, ' ');
    const start = Math.min(this.position, shown.length);
    const end = Math.min(Math.max(start + this.length, start + 1), Math.max(shown.length, start + 1));
    // Count code points, not UTF-16 units, so astral characters take one column.
    const column = [...shown.slice(0, start)].length;
    const width = Math.max(1, [...shown.slice(start, end)].length);
    return [this.message, INDENT + shown, INDENT + ' '.repeat(column) + '^' + '~'.repeat(width - 1)].join('\n');
  }
}

export function isFilterError(e: unknown): e is FilterError {
  return e instanceof FilterError;
}
