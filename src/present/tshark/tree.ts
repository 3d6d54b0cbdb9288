/**
 * The text tree of `tshark -V`: one node per line, four spaces of indent per
 * level, bit fields drawn as tshark draws them ("0100 .... = Version: 4").
 */
import type { Finding, Severity } from '../../wire/types.js';

const INDENT: readonly string[] = Array.from({ length: 8 }, (_, i) => '    '.repeat(i));

/** tshark keeps a node's label in a buffer of 240 bytes: a longer one (a long option summary) is cut to 239 characters. */
const MAX_LABEL = 239;

export class Tree {
  readonly lines: string[] = [];

  add(depth: number, text: string): this {
    this.lines.push((INDENT[depth] ?? '    '.repeat(depth)) + (text.length > MAX_LABEL ? text.slice(0, MAX_LABEL) : text));
    return this;
  }

  /**
   * An expert-info node with its three children, as tshark nests them under
   * the field they are about.
   */
  expert(depth: number, severity: ExpertSeverity, group: string, message: string): this {
    const sev = SEVERITY[severity] ?? severity;
    this.add(depth, `[Expert Info (${sev}/${group}): ${message}]`);
    this.add(depth + 1, `[${message}]`);
    this.add(depth + 1, `[Severity level: ${sev}]`);
    this.add(depth + 1, `[Group: ${group}]`);
    return this;
  }

  /** A finding of ours as an expert-info node (group from its code). */
  finding(depth: number, f: Finding): this {
    return this.expert(depth, f.severity, findingGroup(f.code), f.message);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

const SEVERITY: Readonly<Record<string, string>> = { error: 'Error', warning: 'Warning', note: 'Note', chat: 'Chat' };

/** An expert item's severity: a finding's, or tshark's spelling (Comment: a pcapng packet comment). */
export type ExpertSeverity = Severity | 'Error' | 'Warning' | 'Note' | 'Chat' | 'Comment';

export function findingGroup(code: string): string {
  if (code === 'malformed' || code === 'truncated') return 'Malformed';
  if (code.includes('checksum')) return 'Checksum';
  if (code.endsWith('bad_length')) return 'Sequence';
  return 'Protocol';
}

/**
 * The bit picture of a field inside a container of `width` bits: the bits
 * under `mask` as 0/1, the others as dots, in groups of four.
 */
export function bits(value: number, width: number, mask: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) {
    // Containers are at most 32 bits wide: unsigned shifts read every bit.
    s += (mask >>> i) & 1 ? ((value >>> i) & 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i !== 0) s += ' ';
  }
  return s;
}

/** "bits = Name: text" for a flag of a field. */
export function bitLine(value: number, width: number, mask: number, name: string, text: string): string {
  return `${bits(value, width, mask)} = ${name}: ${text}`;
}

export function setText(value: number, mask: number): string {
  return value & mask ? 'Set' : 'Not set';
}

export function hex(v: number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
