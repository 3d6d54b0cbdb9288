/**
 * tshark 4.0's io,stat table: a box whose width follows the capture's
 * duration, the interval's precision, the widest value of each column and the
 * column texts, with its quirks kept (a duration whose microseconds are
 * printed space-padded, "Dur" closing the last whole-second row).
 */
import { right } from './conv-format.js';
import type { Calc, IoStatSpec } from './iostat-args.js';
import type { Cell, Column } from './iostat.js';

const US = 1_000_000;
/** Labels are at most this wide in a column texts box, which wraps longer texts. */
const MAX_TEXT_WIDTH = 102;

/** Digits of `v`, at most `cap`. */
function magnitude(v: bigint | number, cap: number): number {
  return Math.min(String(v).length, cap);
}

const zeros = (v: bigint | number, w: number): string => String(v).padStart(w, '0');

/** What a column prints in a row: its cells' text, without the leading space and trailing " |". */
interface Layout {
  /** Width of the whole column, borders included. */
  readonly width: number;
  /** The number over the column, padded to its width. */
  readonly numberPad: number;
  /** The column headings, centred in their widths. */
  readonly heading: string;
  text(cell: Cell | undefined, rowUs: number): string;
}

/** The label centred in `width` as tshark centres it (up to five spaces each side; nothing past that). */
function centred(label: string, width: number): string {
  const diff = width - label.length;
  const lead = 6 - (Math.trunc(diff / 2) + 1);
  if (lead > 0 && lead < 6) {
    const pad = ' '.repeat(6 - lead);
    return `${diff % 2 === 0 ? pad : `${pad} `}${label}${pad}|`;
  }
  return lead > 0 && lead <= 15 ? `${label}|` : '';
}

/** tshark prints times through 32-bit unsigned integers (a wrapped negative time shows as some billion seconds). */
const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Seconds and microseconds, "%Nu.%06u". */
function seconds(us: bigint, w: number): string {
  return `${right(u32(us / 1_000_000n), w)}.${zeros(u32(us % 1_000_000n), 6)}`;
}

function layout(col: Column, intervalUs: number): Layout {
  const { calc, kind } = col.spec;
  if (calc === 'FRAMES' || calc === 'FRAMES BYTES') {
    const fr = Math.max(6, magnitude(col.maxFrames, 15));
    if (calc === 'FRAMES') return { width: fr + 3, numberPad: fr, heading: centred('FRAMES', fr), text: (c) => right(c?.frames ?? 0, fr) };
    const val = Math.max(5, magnitude(col.maxValue, 15));
    return {
      width: fr + val + 6,
      numberPad: fr + val + 3,
      heading: centred('Frames', fr) + centred('Bytes', val),
      text: (c) => `${right(c?.frames ?? 0, fr)} | ${right(c?.counter ?? 0n, val)}`,
    };
  }
  if (calc === 'BYTES' || calc === 'COUNT') {
    const val = Math.max(5, magnitude(col.maxValue, 15));
    return simple(calc, val, (c) => right(c?.counter ?? 0n, val));
  }
  if (kind === 'double') {
    const mag = magnitude(col.maxValue, 15);
    return simple(calc, mag + 7, (c) => right(c === undefined ? '0.000000' : realValue(calc, c).toFixed(6), mag));
  }
  if (kind === 'reltime') {
    const interval = BigInt(intervalUs);
    const max = calc === 'LOAD' ? (interval === 0n ? col.maxValue : col.maxValue / interval)
      : calc === 'AVG' ? col.maxValue : u64(col.maxValue + 500_000_000n) / 1_000_000_000n;
    const mag = magnitude(max, 15);
    return simple(calc, mag + 7, (c, span) => {
      if (c === undefined) return seconds(0n, mag);
      if (calc !== 'LOAD') return seconds(microsOf(calc, c), mag);
      // A load is the time spent per time elapsed, the last row's elapsed time being what is left of the capture.
      const d = BigInt(span);
      return `${right(u32(c.counter / d), mag)}.${zeros(u32((c.counter % d) * 1_000_000n / d), 6)}`;
    });
  }
  const val = Math.max(calc.length, magnitude(col.maxValue, 15));
  return simple(calc, val, (c) => right(c === undefined ? 0n : integerValue(calc, c, kind === 'signed'), val));
}

function simple(calc: Calc, val: number, text: Layout['text']): Layout {
  return { width: val + 3, numberPad: val, heading: centred(calc, val), text };
}

function realValue(calc: Calc, c: Cell): number {
  return calc === 'AVG' ? c.real / Math.max(c.num, 1) : c.real;
}

/** An interval's time value in microseconds, rounded from nanoseconds. */
function microsOf(calc: Calc, c: Cell): bigint {
  const ns = calc === 'AVG' ? c.counter / BigInt(Math.max(c.num, 1)) : c.counter;
  return u64(ns + 500n) / 1000n;
}

function integerValue(calc: Calc, c: Cell, signed: boolean): bigint {
  const v = calc === 'AVG' ? c.counter / BigInt(Math.max(c.num, 1)) : c.counter;
  return signed ? BigInt.asIntN(64, v) : v;
}

/** The time frame of the table: rounded duration, interval, precision and the width of the interval labels. */
interface Frame {
  duration: number;
  /** The duration as the header shows it. */
  durationText: string;
  interval: number;
  intervalText: string;
  /** Digits of the duration's whole seconds. */
  mag: number;
  precision: number;
  /** The border's width as the times ask. */
  border: number;
  /** Width of the interval column, borders included. */
  labelWidth: number;
}

function timeFrame(spec: IoStatSpec, elapsedUs: number): Frame {
  let duration = elapsedUs;
  const whole = spec.intervalUs === undefined || spec.intervalUs > duration;
  let interval = whole ? duration : spec.intervalUs!;
  let mag = magnitude(Math.floor(duration / US), 5);
  const precision = whole ? (mag >= 2 ? 1 : mag === 1 ? 3 : 6) : spec.precision;
  const decimals = precision === 0 ? 0 : precision + 1;
  const border = whole ? 30 + mag + decimals : 25 + Math.max(magnitude(Math.floor(interval / US), 5), mag) + decimals;
  const unit = 10 ** (6 - precision);
  // Only above the half is the duration rounded up; a whole-second table's header shows it unrounded.
  const shownSecs = Math.floor(duration / US);
  const shownUs = duration % US;
  if (duration % unit > 5 * Math.floor(unit / 10)) {
    duration = Math.floor((duration + 5 * Math.floor(unit / 10)) / unit) * unit;
    mag = magnitude(Math.floor(duration / US), 5);
  }
  if (whole) interval = duration;
  const stamp = (us: number): string => `${right(Math.floor(us / US), mag)}.${zeros(Math.floor((us % US) / unit), precision)}`;
  return {
    duration,
    // tshark prints the microseconds of a whole-second table's duration padded with spaces ("5. 12201").
    durationText: precision === 0 ? `${right(shownSecs, mag)}.${right(shownUs, 6)}` : stamp(duration),
    interval,
    intervalText: precision === 0 ? right(Math.floor(interval / US), mag) : stamp(interval),
    mag,
    precision,
    border,
    labelWidth: Math.max(12, precision === 0 ? 2 * mag + 8 : 2 * mag + 2 * precision + 10),
  };
}

/** The label of the row [t, end): whole seconds, or seconds with the interval's decimals. */
function rowLabel(f: Frame, t: number, end: number, last: boolean): string {
  if (f.precision === 0) {
    const s = (us: number): string => right(Math.floor(us / US), f.mag);
    if (last) return `| ${f.mag === 1 ? ' ' : ''}${s(t)} <> ${'Dur'.padEnd(f.mag >= 3 ? f.mag + 1 : 3)}|`;
    return f.mag === 1 ? `|  ${s(t)} <> ${s(end)}  |` : `| ${s(t)} <> ${s(end)} |`;
  }
  const unit = 10 ** (6 - f.precision);
  const s = (us: number): string => `${right(Math.floor(us / US), f.mag)}.${zeros(Math.floor((us % US) / unit), f.precision)}`;
  return `| ${s(t)} <> ${s(end)} |`;
}

/** A line of the text box: `text` then spaces up to the right border. */
function boxed(text: string, border: number): string {
  return `${text.padEnd(border - 1)}|\n`;
}

/** The "Col N:" lines, long texts wrapped at their last space that fits (or anywhere when none does). */
function columnTexts(specs: IoStatSpec['columns'], border: number): string {
  const room = border - 11;
  let out = '';
  specs.forEach((c, j) => {
    let lead = j === 0 ? '| Col 1: ' : `|    ${right(j + 1, 2)}: `;
    let text = c.text ?? 'Frames and bytes';
    while (c.text !== undefined && text.length > room) {
      const space = text.lastIndexOf(' ', room - 1);
      const cut = space >= 0 ? space : room;
      out += boxed(lead + text.slice(0, cut), border);
      text = text.slice(space >= 0 ? cut + 1 : cut);
      lead = '|        ';
    }
    out += boxed(lead + text, border);
  });
  return out;
}

export function drawIoStat(spec: IoStatSpec, columns: readonly Column[], elapsedUs: number): string {
  const f = timeFrame(spec, elapsedUs);
  const layouts = columns.map((c) => layout(c, f.interval));
  const tableWidth = f.labelWidth + layouts.reduce((n, l) => n + l.width, 0);
  let border = Math.max(f.border, tableWidth);
  const widestText = Math.max(...spec.columns.map((c) => (c.text === undefined ? 26 : c.text.length + 11)));
  if (widestText > border && border < MAX_TEXT_WIDTH) border = Math.min(widestText, MAX_TEXT_WIDTH);
  // A right border one column past the table's would be a double border.
  if (border - tableWidth === 1) border++;
  const filler = tableWidth < border ? right('|', border - tableWidth) : '';

  let out = `\n${'='.repeat(border)}\n`;
  out += boxed('| IO Statistics', border) + boxed('|', border);
  out += boxed(`| Duration: ${f.durationText} secs`, border);
  out += boxed(`| Interval: ${f.intervalText} secs`, border);
  out += boxed('|', border) + columnTexts(spec.columns, border);
  out += `|${'-'.repeat(border - 2)}|\n`;
  out += `|${right('|', f.labelWidth - 1)}${layouts.map((l, j) => `${String(j + 1).padEnd(2)}${' '.repeat(l.numberPad)}|`).join('')}${filler}\n`;
  out += `| Interval${right('|', f.labelWidth - 10)}${layouts.map((l) => l.heading).join('')}${filler}\n`;
  out += `|-${'-'.repeat(tableWidth - 3)}|${filler}\n`;
  for (let t = 0, row = 0; t < f.duration; t += f.interval, row++) {
    const last = t + f.interval >= f.duration;
    const end = last ? f.duration : t + f.interval;
    out += rowLabel(f, t, end, last);
    columns.forEach((c, j) => {
      out += ` ${layouts[j]!.text(c.cells[row], last ? end - t : f.interval)} |`;
    });
    out += `${filler}\n`;
  }
  return `${out}${'='.repeat(border)}\n`;
}
