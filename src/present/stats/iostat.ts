/**
 * `-z io,stat,INTERVAL[,FILTER|CALC(FIELD)FILTER]...`: frames and bytes, or
 * a calculation over a field's values, per interval of capture time and per
 * column, in tshark 4.0's boxed table.
 */
import { readsMeasurements, readsMptcpAnalysis } from '../../fields/analysis-needs.js';
import { occurrences } from '../../fields/index.js';
import type { FieldContext, FieldValue, TimeValue } from '../../fields/index.js';
import { parseIoStat } from './iostat-args.js';
import type { ColumnSpec, IoStatSpec } from './iostat-args.js';
import { drawIoStat } from './iostat-table.js';
import type { StatTap, TapEnv, TapFilter, TapMaker, TapNeeds } from './types.js';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** One interval of one column. Counters are tshark's unsigned 64-bit ones (wrapping), or a float sum. */
export class Cell {
  /** Frames the column's filter matched. */
  frames = 0;
  /** Values seen (AVG's divisor). */
  num = 0;
  /** Bytes; the count, sum, minimum or maximum of integer values; nanoseconds of time values; LOAD's microseconds. */
  counter = 0n;
  /** The sum, minimum or maximum of floating-point values. */
  real = 0;
}

/** A column's intervals and what its widths are made of: the largest values seen, as tshark tracks them. */
export class Column {
  /** Interval i covers [i * interval, (i + 1) * interval) of capture time; never empty. */
  readonly cells: Cell[] = [new Cell()];
  /** Largest frame count of an interval. */
  maxFrames = 0;
  /** Largest value (as tshark sizes it: integer part, before any conversion to seconds). */
  maxValue = 0n;

  constructor(readonly spec: ColumnSpec, readonly test: TapFilter | undefined) {}

  /** The cell of a frame `rt` microseconds into the capture: a later one opens the intervals up to it, an earlier one counts in the last. */
  cellAt(rt: number, interval: number): Cell {
    while (rt >= this.cells.length * interval) this.cells.push(new Cell());
    return this.cells[this.cells.length - 1]!;
  }
}

/** A time value in nanoseconds, as tshark's unsigned counters hold it. */
const nanos = (t: TimeValue): bigint => U64(BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec));
/** A time in microseconds, rounded to the nearest as tshark places frames in intervals. */
const micros = (t: TimeValue): number => t.sec * 1e6 + Math.floor((t.nsec + 500) / 1000);

function integer(v: FieldValue): bigint {
  return typeof v === 'bigint' ? U64(v) : typeof v === 'number' ? U64(BigInt(Math.trunc(v))) : 0n;
}

class IoStatTap implements StatTap {
  readonly needs: TapNeeds;
  private readonly columns: Column[];
  /** The interval in microseconds while counting; whole-capture statistics use one endless interval. */
  private readonly interval: number;
  /** Capture time of the latest frame (cfile.elapsed_time): the table's duration. */
  private elapsed: TimeValue = { sec: 0, nsec: 0 };
  /** Where a frame before the first one counts: at the time of the last frame counted. */
  private lastRt = 0;

  constructor(private readonly spec: IoStatSpec, env: TapEnv) {
    this.columns = spec.columns.map((c) => new Column(c, c.filter.trim() === '' ? undefined : env.compileFilter(c.filter)));
    this.interval = spec.intervalUs ?? Infinity;
    const names = spec.columns.flatMap((c) => (c.field === undefined ? [] : [c.field.name]));
    this.needs = { mptcp: readsMptcpAnalysis(names), measurements: readsMeasurements(names) };
  }

  packet(ctx: FieldContext): void {
    const p = ctx.packet;
    const first = ctx.firstTs ?? { sec: p.tsSec, nsec: p.tsNsec };
    let sec = p.tsSec - first.sec;
    let nsec = p.tsNsec - first.nsec;
    if (nsec < 0) {
      nsec += 1_000_000_000;
      sec--;
    }
    if (sec > this.elapsed.sec || (sec === this.elapsed.sec && nsec > this.elapsed.nsec)) this.elapsed = { sec, nsec };
    let rt: number | undefined;
    for (const col of this.columns) {
      if (col.test !== undefined && !col.test(ctx)) continue;
      if (rt === undefined) {
        if (sec >= 0) this.lastRt = micros({ sec, nsec });
        rt = this.lastRt;
      }
      this.count(col, col.cellAt(rt, this.interval), ctx);
    }
  }

  private count(col: Column, cell: Cell, ctx: FieldContext): void {
    cell.frames++;
    const { calc, field, kind } = col.spec;
    if (field === undefined) {
      cell.counter += BigInt(ctx.packet.origLen);
    } else {
      const all = occurrences(field.get(ctx));
      // Past the first, such a field's occurrences are expert items, which tshark's statistics do not see.
      const values = field.json?.once === true ? all.slice(0, 1) : all;
      if (calc === 'COUNT') cell.counter += BigInt(values.length);
      else if (kind === 'double') accumulateReal(calc, cell, values);
      else if (calc === 'LOAD') this.load(col, values);
      else accumulate(calc, cell, kind === 'reltime' ? values.map((v) => nanos(v as TimeValue)) : values.map(integer), kind === 'signed');
    }
    trackMax(col, cell);
  }

  /**
   * LOAD: each span of time (a response time) is spread back over the
   * intervals it covers, ending at the frame's own, in microseconds. A span
   * longer than the capture so far goes round again from the last interval,
   * as in tshark (whole rounds are added at once).
   */
  private load(col: Column, values: readonly FieldValue[]): void {
    const cells = col.cells;
    const n = BigInt(cells.length);
    const interval = this.spec.intervalUs === undefined ? 0xffff_ffff_ffff_ffffn : BigInt(this.spec.intervalUs);
    const i = cells.length - 1;
    for (const v of values) {
      const t = v as TimeValue;
      // A negative span (timestamps going backwards) is no time spent; tshark reads it as 2^64 microseconds and spreads them for ages.
      if (t.sec < 0) continue;
      let us = BigInt(t.sec) * 1_000_000n + BigInt(Math.trunc(t.nsec / 1000));
      const own = us % interval;
      cells[i]!.counter += own;
      us -= own;
      const rounds = us / (interval * n);
      if (rounds > 0n) {
        for (const c of cells) c.counter += rounds * interval;
        us -= rounds * interval * n;
      }
      for (let j = (i + cells.length - 1) % cells.length; us > 0n; j = (j + cells.length - 1) % cells.length) {
        const part = us < interval ? us : interval;
        cells[j]!.counter += part;
        us -= part;
      }
    }
  }

  draw(): string {
    return drawIoStat(this.spec, this.columns, micros(this.elapsed));
  }
}

/** SUM, MIN, MAX and AVG over integers or nanoseconds (MIN takes the first value of an interval's first frame as it is). */
function accumulate(calc: ColumnSpec['calc'], cell: Cell, values: readonly bigint[], signed: boolean): void {
  const less = signed ? (a: bigint, b: bigint) => S64(a) < S64(b) : (a: bigint, b: bigint) => a < b;
  values.forEach((v, i) => {
    switch (calc) {
      case 'SUM': cell.counter = U64(cell.counter + v); break;
      case 'AVG': cell.counter = U64(cell.counter + v); cell.num++; break;
      case 'MIN': if ((cell.frames === 1 && i === 0) || less(v, cell.counter)) cell.counter = v; break;
      case 'MAX': if (less(cell.counter, v)) cell.counter = v; break;
      default: break;
    }
  });
}

function accumulateReal(calc: ColumnSpec['calc'], cell: Cell, values: readonly FieldValue[]): void {
  values.forEach((value, i) => {
    const v = Number(value);
    switch (calc) {
      case 'SUM': cell.real += v; break;
      case 'AVG': cell.real += v; cell.num++; break;
      case 'MIN': if ((cell.frames === 1 && i === 0) || v < cell.real) cell.real = v; break;
      case 'MAX': if (v > cell.real) cell.real = v; break;
      default: break;
    }
  });
}

/** Floating-point values size a column by their integer part, rounded (negative ones as none). */
const realMagnitude = (v: number): bigint => (v > 0 ? BigInt(Math.floor(v)) : 0n);

/** After each frame, as tshark does: the largest value seen sizes the column (an average's running value included). */
function trackMax(col: Column, cell: Cell): void {
  const { calc, kind } = col.spec;
  let v: bigint;
  if (calc === 'FRAMES' || calc === 'FRAMES BYTES') col.maxFrames = Math.max(col.maxFrames, cell.frames);
  if (calc === 'FRAMES') return;
  if (calc === 'AVG') {
    if (cell.num === 0) return;
    const n = BigInt(cell.num);
    v = kind === 'double' ? realMagnitude(cell.real) / n
      : kind === 'reltime' ? U64(cell.counter / n + 500_000_000n) / 1_000_000_000n
        : cell.counter / n;
  } else {
    v = kind === 'double' && calc !== 'COUNT' ? realMagnitude(cell.real + 0.5) : cell.counter;
  }
  if (v > col.maxValue) col.maxValue = v;
}

export const makeIoStatTap: TapMaker = (_name, args, env) => new IoStatTap(parseIoStat(args), env);
