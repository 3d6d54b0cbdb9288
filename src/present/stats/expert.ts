/**
 * `-z expert[,LEVEL][,FILTER]`: tshark's expert information summary. Every
 * expert item of a packet (severity, group, protocol, summary) is counted;
 * items with the same protocol and summary share a row, in the order their
 * first occurrence came, under one section per severity from errors down to
 * comments.
 *
 * The items are the ones the detail tree (`read -V`) shows, gathered by
 * building each packet's tree into a collector instead of text, so the two
 * never disagree. What the statistics leave out of that tree is what tshark
 * itself does not report here: checksums are left unverified (tshark's
 * default), mpscope's own MPTCP checks are not run, and items tshark only
 * finds while building a protocol tree are kept only when it would build one.
 */
import { DetailFormatter } from '../detail.js';
import { Tree, type ExpertSeverity } from '../tshark/tree.js';
import type { PacketAnnotations } from '../../fields/types.js';
import { TcpFlag } from '../../wire/types.js';
import type { Packet, Severity, TcpOption } from '../../wire/types.js';
import type { StatTap, TapEnv, TapFilter, TapMaker } from './types.js';

/** tshark's severities, lowest first: LEVEL keeps its own and the higher ones. */
const LEVELS = ['comment', 'chat', 'note', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Section titles, printed from the highest severity down. */
const SECTIONS: ReadonlyArray<[Level, string]> = [
  ['error', 'Errors'], ['warn', 'Warns'], ['note', 'Notes'], ['chat', 'Chats'], ['comment', 'Comments'],
];

const LEVEL_OF: Readonly<Record<string, Level>> = {
  error: 'error', Error: 'error', warning: 'warn', Warning: 'warn', note: 'note', Note: 'note', chat: 'chat', Chat: 'chat', Comment: 'comment',
};

/**
 * Items tshark adds only while it builds a protocol tree (its option loop
 * counts NOPs inside the tree code): without -V, -Y or a tap filter they
 * are not reported.
 */
const TREE_ONLY: ReadonlySet<string> = new Set(['4 NOP in a row - a router may have removed some options']);

/** The detail tree's items that are mpscope's own checks, which tshark 4.0 does not make. */
const OWN_CHECKS: ReadonlySet<string> = new Set(['Bad DSS checksum']);

/** Protocol names (tshark's short names) of the tree's protocol nodes, by the start of their label. */
const PROTOCOL_TITLES: ReadonlyArray<[prefix: string, protocol: string]> = [
  ['Frame ', 'Frame'],
  ['Ethernet II', 'Ethernet'],
  ['802.1Q Virtual LAN', '802.1Q'],
  ['Linux cooked capture v2', 'SLL2'],
  ['Linux cooked capture', 'SLL'],
  ['Null/Loopback', 'NULL'],
  ['Point-to-Point Protocol', 'PPP'],
  ['Raw packet data', 'Raw'],
  ['Internet Protocol Version 4', 'IPv4'],
  ['Internet Protocol Version 6', 'IPv6'],
  ['Transmission Control Protocol', 'TCP'],
  ['Multipath Transmission Control Protocol', 'MPTCP'],
  ['User Datagram Protocol', 'UDP'],
  ['Internet Control Message Protocol v6', 'ICMPv6'],
  ['Internet Control Message Protocol', 'ICMP'],
];

const MALFORMED_TITLE = '[Malformed Packet: ';

function protocolOfTitle(label: string): string | undefined {
  // The malformed-packet node names the protocol whose dissection stopped.
  if (label.startsWith(MALFORMED_TITLE)) return label.slice(MALFORMED_TITLE.length, -1);
  for (const [prefix, protocol] of PROTOCOL_TITLES) if (label.startsWith(prefix)) return protocol;
  return undefined;
}

/**
 * Options whose tree nodes hold no expert item when well formed (MPTCP ones
 * only warn about a subtype they contradict, decoded as UNKNOWN).
 */
function quietOption(o: TcpOption): boolean {
  if (o.malformed !== undefined) return false;
  return o.type === 'nop' || o.type === 'eol' || o.type === 'timestamps' || (o.type === 'mptcp' && o.mptcp.name !== 'UNKNOWN');
}

const LOUD_FLAGS = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST | TcpFlag.URG;

/**
 * A segment whose tree cannot hold an expert item, told without building
 * it: the bulk of a transfer (acknowledging, no handshake or closing flag,
 * no analysis flag, no decoding finding, plain IP headers, common options).
 * Anything else has its tree built; the tests compare both ways on every
 * capture.
 */
export function quietSegment(pkt: Packet, analysis: PacketAnnotations | undefined): boolean {
  const tcp = pkt.tcp;
  const ip = pkt.ip;
  const a = analysis?.tcp;
  if (tcp === undefined || ip === undefined || a === undefined || a.quoted === true || a.flags !== 0 || pkt.comments !== undefined) return false;
  if (pkt.findings.length !== 0 || (tcp.flags & LOUD_FLAGS) !== 0 || (tcp.flags & TcpFlag.ACK) === 0 || tcp.urgentPointer !== 0) return false;
  if (ip.version === 4 ? ip.options.length !== 0 || ip.ttl < 5 || ip.isFragment : ip.extensions.length !== 0) return false;
  for (const o of tcp.options) if (!quietOption(o)) return false;
  return true;
}

/** One expert item as the statistics count it. */
interface Item {
  level: Level;
  group: string;
  protocol: string;
  summary: string;
}

/**
 * A detail tree that keeps no text: it follows which protocol's node each
 * line sits in, and hands every expert item to `sink` with that protocol.
 */
class ExpertCollector extends Tree {
  /** The protocol nodes enclosing the current line: their depths and names. */
  private readonly depths: number[] = [];
  private readonly protocols: string[] = [];

  constructor(private readonly sink: (item: Item) => void) {
    super();
  }

  reset(): void {
    this.depths.length = 0;
    this.protocols.length = 0;
  }

  override add(depth: number, text: string): this {
    this.leave(depth);
    // Protocol nodes sit at the top (an ICMP error's quoted headers one level down, MPTCP options two):
    // the many deeper lines are not read at all.
    const protocol = depth <= 1 || (depth === 2 && text.charCodeAt(0) === 0x4d) ? protocolOfTitle(text) : undefined;
    if (protocol !== undefined) {
      this.depths.push(depth);
      this.protocols.push(protocol);
    }
    return this;
  }

  override expert(depth: number, severity: ExpertSeverity, group: string, message: string): this {
    this.leave(depth);
    const level = LEVEL_OF[severity];
    if (level !== undefined) this.sink({ level, group, protocol: this.protocols[this.protocols.length - 1] ?? 'Frame', summary: message });
    return this;
  }

  /** Closes the protocol nodes a line at `depth` is not inside. */
  private leave(depth: number): void {
    while (this.depths.length > 0 && this.depths[this.depths.length - 1]! >= depth) {
      this.depths.pop();
      this.protocols.pop();
    }
  }
}

/** A row of the report: an item and how many times it came. */
interface Row {
  group: string;
  protocol: string;
  summary: string;
  frequency: number;
}

/** The report's rows of one severity, in the order of their first occurrence. */
class Section {
  readonly rows: Row[] = [];
  /** Rows by protocol and summary (tshark counts items alike whatever their group). */
  private readonly index = new Map<string, Row>();

  count(item: Item): void {
    const key = `${item.protocol}\u0000${item.summary}`;
    const row = this.index.get(key);
    if (row !== undefined) {
      row.frequency++;
      return;
    }
    const added: Row = { group: item.group, protocol: item.protocol, summary: item.summary, frequency: 1 };
    this.rows.push(added);
    this.index.set(key, added);
  }

  draw(title: string): string {
    if (this.rows.length === 0) return '';
    const total = this.rows.reduce((n, r) => n + r.frequency, 0);
    let s = `\n${title} (${total})\n=============\n   Frequency      Group           Protocol  Summary\n`;
    for (const r of this.rows) {
      s += `${String(r.frequency).padStart(12)} ${r.group.padStart(10)} ${r.protocol.padStart(18)}  ${r.summary}\n`;
    }
    return s;
  }
}

/** What `expert,...` asks for: the lowest severity reported and the tap's own filter. */
export interface ExpertArgs {
  lowest: Level;
  filter: string | undefined;
}

/**
 * tshark's reading of the arguments: an optional severity, recognised by its
 * first letters whatever their case and whatever follows them ("warning"
 * is warn), then, after a comma, a display filter (empty: none).
 */
export function parseExpertArgs(args: string): ExpertArgs {
  let rest = args === '' ? '' : `,${args}`;
  let lowest: Level = 'comment';
  for (const level of ['error', 'warn', 'note', 'chat', 'comment'] as const) {
    if (rest.slice(0, level.length + 1).toLowerCase() === `,${level}`) {
      lowest = level;
      rest = rest.slice(level.length + 1);
      break;
    }
  }
  const filter = rest.startsWith(',') ? rest.slice(1) : undefined;
  return { lowest, filter: filter === '' ? undefined : filter };
}

export const makeExpertTap: TapMaker = (_name: string, args: string, env: TapEnv): StatTap => expertTap(args, env);

/** The tap; `everyTree` builds the tree of quiet segments too (the tests check that changes nothing). */
export function expertTap(args: string, env: TapEnv, everyTree = false): StatTap {
  const { lowest, filter: filterText } = parseExpertArgs(args);
  const filter: TapFilter | undefined = filterText === undefined ? undefined : env.compileFilter(filterText);
  const minRank = LEVELS.indexOf(lowest);
  const sections = new Map<Level, Section>(LEVELS.map((l) => [l, new Section()]));
  let withTree: boolean | undefined;
  const collector = new ExpertCollector((item) => {
    if (LEVELS.indexOf(item.level) < minRank) return;
    if (OWN_CHECKS.has(item.summary)) return;
    if (TREE_ONLY.has(item.summary) && withTree !== true) return;
    sections.get(item.level)!.count(item);
  });
  // tshark's defaults: checksums unverified, and no MPTCP analysis of mpscope's own (its findings are not tshark's).
  // No hex dumps either: the Data node then leaves its bytes out.
  const trees = new DetailFormatter({ checksums: 'off', analysis: { mptcp: false }, hex: true });
  return {
    packet(ctx) {
      withTree ??= filter !== undefined || (env.protocolTree?.() ?? false);
      if (filter !== undefined && !filter(ctx)) {
        // Closing roles and window scales still follow the packets the filter leaves out.
        trees.skip(ctx.packet, ctx.analysis);
        return;
      }
      // A tree built only for tshark's option checks (4 NOPs) may hold items a quiet segment does not.
      if (!everyTree && !withTree && quietSegment(ctx.packet, ctx.analysis)) {
        trees.skip(ctx.packet, ctx.analysis);
        return;
      }
      collector.reset();
      trees.formatInto(collector, ctx.packet, ctx.analysis);
    },
    draw() {
      return SECTIONS.map(([level, title]) => sections.get(level)!.draw(title)).join('');
    },
  };
}
