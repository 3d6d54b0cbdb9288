/**
 * A trace for people, traceroute-like: a header, one line per hop with
 * what changed in the probe by then, and the verdict.
 */
import type { TraceAnswer, TraceHop, TraceResult, TraceStart } from './trace.js';

/** The two lines printed before the first probe goes. */
export function formatTraceHeader(r: TraceStart): string {
  return [
    `mpscope trace to ${r.target} port ${r.port} from ${r.source} port ${r.sourcePort}: SYNs with MP_CAPABLE v${r.version}, `
      + `hops ${r.firstHop} to ${r.maxHops}, ${r.timeoutMs / 1000} s per probe`,
    `probe options: ${r.probe.options.join(',')}`,
  ].join('\n');
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : `${v.toFixed(3)} ms`;
}

function answerText(a: TraceAnswer): string {
  switch (a.kind) {
    case 'synack': {
      const mpc = a.mpCapable
        ? `with MP_CAPABLE v${a.mpCapable.version}${a.mpCapable.key ? ` {${a.mpCapable.key}}` : ''}`
        : 'without MP_CAPABLE';
      return `SYN/ACK [${a.flags}] ${mpc}, options [${(a.options ?? []).join(',')}]`;
    }
    case 'rst': return `RST [${a.flags}]`;
    default: return a.icmp?.name ?? a.kind;
  }
}

/** One hop, with its changes and findings on the lines below when there are several. */
export function formatHop(hop: TraceHop, answer?: TraceAnswer): string {
  const ttl = String(hop.ttl).padStart(2);
  if (hop.reply === 'none') return `${ttl}  *  no reply`;
  const head = `${ttl}  ${hop.address ?? '?'}  ${ms(hop.rttMs)}`;
  const lines: string[] = [];
  let what: string;
  if (hop.reply === 'synack' || hop.reply === 'rst') {
    what = answer && answer.ttl === hop.ttl ? answerText(answer) : hop.reply;
  } else {
    const q = hop.quote;
    const seen = !q ? 'no quote'
      : q.showsOptions ? `${q.bytes}-byte quote${q.rfc4884 ? ' (RFC 4884)' : ''}`
      : `${q.transportBytes}-byte TCP quote${q.partial ? ' (RFC 792): options not visible' : ': options not visible'}`;
    const changes = hop.changes.length === 0 ? 'no change' : hop.changes.length === 1 ? hop.changes[0]!.text : `${hop.changes.length} changes:`;
    what = `${hop.reply === 'time-exceeded' ? '' : `${hop.icmp?.name ?? 'ICMP error'}, `}${seen}, ${changes}`;
    if (hop.changes.length > 1) for (const c of hop.changes) lines.push(`      ${c.text}`);
  }
  for (const f of hop.findings) lines.push(`      ! ${f.message}`);
  return [`${head}  ${what}`, ...lines].join('\n');
}

/** The whole trace as text: header, hops, verdict. */
export function formatTrace(r: TraceResult): string {
  return [formatTraceHeader(r), ...r.hops.map((h) => formatHop(h, r.answer)), `verdict: ${r.verdict.text}`].join('\n');
}
