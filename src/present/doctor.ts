/**
 * `mpscope doctor` for people: per connection, what was verified, then each
 * finding with its severity, frames, meaning and what to check, wrapped for
 * a terminal; `--json` for programs.
 */
import type { DoctorConnection, DoctorFinding, DoctorReport, DoctorTcpConversation } from '../analysis/report/doctor/index.js';
import { endpointText, formatCount, formatDuration, formatJson } from './summary.js';

const WIDTH = 100;

/** Words wrapped to WIDTH columns, every line starting with `indent` (the first with `first` instead). */
export function wrap(text: string, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

function framesLine(frames: readonly number[]): string {
  if (frames.length === 0) return '';
  return frames.length === 1 ? `frame ${frames[0]}` : `frames ${frames.join(', ')}`;
}

export function formatFinding(f: DoctorFinding, indent = '  '): string[] {
  const head = `${indent}[${f.severity}] `;
  const sub = indent + '    ';
  const lines = wrap(f.title, ' '.repeat(head.length), head);
  const frames = framesLine(f.frames);
  if (frames !== '') lines.push(...wrap(frames, sub + '        ', `${sub}seen in `));
  lines.push(...wrap(f.meaning, sub + '  ', `${sub}means: `));
  if (f.check.length > 0) {
    lines.push(`${sub}check:`);
    for (const c of f.check) lines.push(...wrap(c, `${sub}    `, `${sub}  - `));
  }
  return lines;
}

function countsText(c: Record<'error' | 'warning' | 'note', number>): string {
  const n = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${n(c.error, 'error')}, ${n(c.warning, 'warning')}, ${n(c.note, 'note')}`;
}

function connectionBlock(c: DoctorConnection): string[] {
  const version = c.version === undefined ? 'version unknown' : `v${c.version}`;
  const state = c.ending === undefined ? c.state : `${c.state} (${c.ending})`;
  const ends = `${endpointText(c.client ?? c.firstSubflow?.src)} → ${endpointText(c.server ?? c.firstSubflow?.dst)}`;
  const lines = [`MPTCP connection ${c.index} (${version}): ${ends}, ${state}, ${c.subflows} subflow${c.subflows === 1 ? '' : 's'}`];
  c.verified.forEach((v, i) => lines.push(`${i === 0 ? '  verified: ' : '            '}${v}`));
  if (c.findings.length === 0) {
    lines.push('  no problems found');
    return lines;
  }
  for (const f of c.findings) lines.push(...formatFinding(f));
  return lines;
}

function tcpBlock(c: DoctorTcpConversation): string[] {
  const lines = [`TCP conversation tcp.stream ${c.stream}: ${endpointText(c.a)} → ${endpointText(c.b)}, ${c.state}`];
  for (const f of c.findings) lines.push(...formatFinding(f));
  return lines;
}

export function formatDoctor(r: DoctorReport): string {
  const n = r.connections.length;
  const lines = [`${formatCount(r.packets)} packets, ${formatDuration(r.duration)}; ${n} MPTCP connection${n === 1 ? '' : 's'}; ${countsText(r.counts)}`];
  for (const f of r.capture) {
    lines.push('');
    lines.push(...formatFinding(f, ''));
  }
  for (const c of r.connections) {
    lines.push('');
    lines.push(...connectionBlock(c));
  }
  if (r.tcp !== undefined) {
    lines.push('');
    lines.push(r.tcp.length === 0 ? 'plain TCP conversations: no problems found' : `plain TCP conversations with findings: ${r.tcp.length}`);
    for (const c of r.tcp) {
      lines.push('');
      lines.push(...tcpBlock(c));
    }
  }
  return lines.join('\n');
}

export function formatDoctorJson(r: DoctorReport): string {
  return formatJson(r);
}
