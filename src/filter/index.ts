/**
 * Display filters (`-Y`): Wireshark's display-filter language over the field
 * registry. A filter is parsed, checked and compiled once, before any packet
 * is read; errors are {@link FilterError}s that point into the filter text.
 *
 * ```ts
 * const f = compileFilter('ip.addr == 10.0.0.0/8 && tcp.flags.syn == 1');
 * if (f.test(ctx)) show(packet);
 * ```
 */
import { fields as builtinFields } from '../fields/index.js';
import type { FieldContext, FieldRegistry } from '../fields/index.js';
import { Compiler } from './compile.js';
import { parseFilter } from './parser.js';

export interface Filter {
  /** The filter as written. */
  readonly text: string;
  /** Whether the packet passes. Cheap: no parsing or lookups, and no allocation on the common paths. */
  readonly test: (ctx: FieldContext) => boolean;
  /**
   * The registry fields the filter reads, in order of first use: a caller
   * can tell whether the filter needs stateful analysis (`tcp.analysis.*`,
   * `tcp.stream`) before deciding to run it.
   */
  readonly fields: readonly string[];
}

/**
 * Compiles a display filter against `registry` (the built-in one by default),
 * with the fields registered at this moment. Throws {@link FilterError}.
 */
export function compileFilter(text: string, registry: FieldRegistry = builtinFields): Filter {
  const ast = parseFilter(text);
  const compiler = new Compiler(text, registry);
  const test = compiler.expr(ast);
  return { text, test, fields: compiler.fields };
}

export { FilterError, isFilterError } from './errors.js';
export { parseFilter, FUNCTION_NAMES } from './parser.js';
export { tokenize } from './lexer.js';
export type { Token, Punct } from './lexer.js';
export type * from './ast.js';
