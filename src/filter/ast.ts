/**
 * The parsed form of a display filter. Every node keeps its place in the
 * filter text (`pos`..`end`) so the compiler can point at it in errors.
 */

export interface Span {
  /** Offset of the node's first character. */
  readonly pos: number;
  /** Offset just past its last character. */
  readonly end: number;
}

/** Comparison operators; `ne` is Wireshark's `!=` (all occurrences differ) unless quantified `any`. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'matches';

/** Whether any occurrence of a multi-valued field must satisfy a test, or all of them (and at least one must exist). */
export type Quantifier = 'any' | 'all';

export type Expr = Logical | Not | Test | Compare | InSet;

export interface Logical extends Span {
  readonly kind: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
}

export interface Not extends Span {
  readonly kind: 'not';
  readonly operand: Expr;
}

/** A bare operand: the field exists (or, for `field & mask`, some occurrence has a mask bit set). */
export interface Test extends Span {
  readonly kind: 'test';
  readonly value: Operand;
}

export interface Compare extends Span {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly quantifier: Quantifier;
  readonly left: Operand;
  readonly right: Operand;
  /** Where the operator is written. */
  readonly opSpan: Span;
}

/** `field in {a, b, lo..hi}`, or `field not in {...}` (negated: no occurrence is in the set). */
export interface InSet extends Span {
  readonly kind: 'in';
  readonly negated: boolean;
  readonly left: Operand;
  readonly elements: readonly SetElement[];
  readonly opSpan: Span;
}

export interface SetElement extends Span {
  readonly lo: Operand;
  /** Upper end of a `lo..hi` range (inclusive). */
  readonly hi?: Operand | undefined;
}

export type Operand = Word | StringLit | CharLit | Call | Slice | BitAnd;

/** An unquoted token: a field name when the registry knows it, otherwise a literal read by the other side's type. */
export interface Word extends Span {
  readonly kind: 'word';
  readonly text: string;
}

export interface StringLit extends Span {
  readonly kind: 'string';
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly raw: boolean;
}

export interface CharLit extends Span {
  readonly kind: 'char';
  readonly value: number;
}

export interface Call extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Operand[];
}

/**
 * One range of a slice:
 * - `[i]`: `start` i, `count` 1
 * - `[i:j]` / `[:j]`: `start` i (0), `count` j
 * - `[i-j]`: `start` i, `last` j (inclusive)
 * - `[i:]`: `start` i to the end (neither `count` nor `last`)
 *
 * Negative offsets count from the end (-1 is the last byte).
 */
export interface SliceRange extends Span {
  readonly start: number;
  readonly count?: number | undefined;
  readonly last?: number | undefined;
}

export interface Slice extends Span {
  readonly kind: 'slice';
  readonly operand: Operand;
  /** The ranges, whose bytes are concatenated (`[0,2-3]`). */
  readonly ranges: readonly SliceRange[];
}

/** `field & mask`: Wireshark's bitwise AND. */
export interface BitAnd extends Span {
  readonly kind: 'bitand';
  readonly left: Operand;
  readonly right: Operand;
}
