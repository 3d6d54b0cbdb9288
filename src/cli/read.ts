// The capture reader alone, not the package's index: a packet list loads no capture writer.
import { linkTypeTcpdumpName } from '../capture/linktypes.js';
import { readCapture } from '../capture/read.js';
import type { CaptureFormat } from '../capture/index.js';
import { Analyzer } from '../analysis/analyzer.js';
import type { PacketAnnotations } from '../analysis/index.js';
import { readsMeasurements, readsMptcpAnalysis } from '../fields/analysis-needs.js';
import type { Filter } from '../filter/index.js';
import type { DetailAnalysisPrefs } from '../present/detail.js';
import type { StatTap, TapFilter } from '../present/stats/types.js';
import { decodePacket, PacketDecoder } from '../wire/packet.js';
import { parseFrameRanges, inRanges } from '../util/ranges.js';
import type { FrameRanges } from '../util/ranges.js';
import { UsageError } from '../util/errors.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';
import { FORMATS, captureSink, displaySink } from './read-sinks.js';
import type { Format, Sink } from './read-sinks.js';

const SPECS: OptionSpec[] = [
  { short: 'r', long: 'read-file', key: 'r', value: true, arg: 'FILE', help: "capture to read (pcap or pcapng, gzip ok); '-' for standard input" },
  { short: 'c', long: 'count', key: 'c', value: true, arg: 'N', help: 'stop after N packets (displayed ones)' },
  { long: 'frames', value: true, arg: 'RANGES', help: 'only these frame numbers, e.g. 1-10,15,20-' },
  { short: 'Y', value: true, arg: 'FILTER', help: "display filter in Wireshark's language, e.g. 'ip.addr == 10.0.0.2 && mptcp'" },
  { short: 'o', value: true, arg: 'PREF:VALUE', help: 'tshark preference, e.g. tcp.analyze_sequence_numbers:FALSE (no TCP analysis); an unknown name lists the known ones' },
  { short: 'T', value: true, arg: 'FORMAT', help: 'output: text (default, tshark list), tcpdump, json, ndjson, fields' },
  { short: 'V', help: 'detail tree of every packet (like tshark -V)' },
  { short: 'x', help: 'hex and ASCII dump of every packet (like tshark -x); with -T tcpdump, tcpdump\'s -x (-xx: with the link header)' },
  { short: 'X', help: 'with -T tcpdump: hex and ASCII, like tcpdump -X (-XX: with the link header)' },
  { short: 'e', value: true, arg: 'FIELD', help: 'with -T fields: a field to print (repeatable); with -T json/ndjson: only these fields; see mpscope fields' },
  { short: 'E', value: true, arg: 'K=V', help: 'with -T fields: header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a, aggregator=C' },
  { short: 't', value: true, arg: 'FORMAT', help: 'tshark time: a, ad, d, dd, e, r (default), u, ud; with -T tcpdump: -t, -tt, -ttt, -tttt, -ttttt' },
  { short: 'w', value: true, arg: 'FILE', help: 'write the selected packets to FILE instead of printing them' },
  { short: 'F', value: true, arg: 'FORMAT', help: 'with -w: pcapng (default) or pcap' },
  { short: 'n', help: 'no name resolution (always the case; accepted for habit)' },
  { short: 'S', help: 'with -T tcpdump: absolute TCP sequence numbers' },
  { short: 'v', help: 'with -T tcpdump: verbose (IP header line, checksums); repeat for more' },
  { short: 'z', value: true, arg: 'STAT', help: "statistics as tshark's -z, printed after the packets (repeatable): conv,tcp, endpoints,ip, io,stat,1, follow,tcp,ascii,0, expert; -z help lists them" },
  { short: 'q', help: 'only the -z statistics, no packets (as tshark -q); with -T tcpdump: quick output (less protocol detail)' },
  { short: '#', help: 'with -T tcpdump: number each line' },
  { long: 'nano', help: 'with -T tcpdump: nanosecond timestamps' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const READ_USAGE = usageText('read', '-r FILE [options]', SPECS);


/** tshark preferences `read` honours (others are refused rather than silently ignored). */
const PREFS: Record<string, string> = {
  'tcp.analyze_sequence_numbers': 'TRUE (default) runs TCP conversation analysis; FALSE turns it off',
  'tcp.relative_sequence_numbers': 'TRUE (default) shows relative sequence numbers; FALSE absolute ones',
  'tcp.desegment_tcp_streams': 'TRUE (default): -V marks retransmitted payload as tshark\'s reassembly does; FALSE leaves that line out',
  'mptcp.analyze_mptcp': 'TRUE (default): -V shows the MPTCP analysis subtree and relative DSS numbers; FALSE leaves them out',
  'mptcp.analyze_mappings': 'FALSE (default): -V leaves out each segment\'s mapping and DSN, as tshark does; TRUE shows them (fields and filters always have them)',
  'mptcp.intersubflows_retransmission': 'FALSE (default): -V leaves out reinjections, as tshark does; TRUE shows them (fields and filters always have them)',
  'mptcp.relative_sequence_numbers': 'TRUE (default): -V shows DSNs and data ACKs relative to the IDSN; FALSE raw (mptcp.dsn is relative, mptcp.rawdsn64 absolute)',
};

interface Prefs {
  analyze: boolean;
  relative: boolean;
  /** What the detail tree shows of the analysis. */
  detail: DetailAnalysisPrefs;
}

/** The -V preferences, by their tshark names. */
const DETAIL_PREFS: Readonly<Record<string, keyof DetailAnalysisPrefs>> = {
  'tcp.desegment_tcp_streams': 'desegment',
  'mptcp.analyze_mptcp': 'mptcp',
  'mptcp.analyze_mappings': 'mptcpMappings',
  'mptcp.intersubflows_retransmission': 'mptcpReinjections',
  'mptcp.relative_sequence_numbers': 'mptcpRelative',
};

function parsePrefs(values: readonly string[]): Prefs {
  const prefs: Prefs = { analyze: true, relative: true, detail: {} };
  for (const v of values) {
    const m = /^([\w.]+):(.*)$/.exec(v);
    const name = m?.[1];
    if (!m || name === undefined || !Object.hasOwn(PREFS, name)) {
      const known = Object.entries(PREFS).map(([k, d]) => `  ${k}: ${d}`).join('\n');
      throw new UsageError(`unsupported preference '${v}'`, `mpscope read knows these (-o NAME:VALUE):\n${known}`);
    }
    const on = !/^(false|0|no)$/i.test(m[2]!.trim());
    if (name === 'tcp.analyze_sequence_numbers') prefs.analyze = on;
    if (name === 'tcp.relative_sequence_numbers') prefs.relative = on;
    const d = Object.hasOwn(DETAIL_PREFS, name) ? DETAIL_PREFS[name] : undefined;
    if (d !== undefined) prefs.detail[d] = on;
  }
  prefs.detail.seq = prefs.analyze;
  return prefs;
}

/** The filter language and its field registry are loaded only when a filter is given. */
async function parseDisplayFilter(text: string | undefined): Promise<Filter | undefined> {
  // As tshark: an empty filter (a script's unset variable, say) shows every packet.
  if (text === undefined || text.trim() === '') return undefined;
  return compileChecked(text, await import('../filter/index.js'));
}

/** A filter compiled, or a usage error showing where it is wrong. */
function compileChecked(text: string, language: typeof import('../filter/index.js')): Filter {
  try {
    return language.compileFilter(text);
  } catch (e) {
    if (language.isFilterError(e)) throw new UsageError(e.render(text), e.hint ?? 'display filters use Wireshark\'s language; field names: mpscope fields');
    throw e;
  }
}

/**
 * TCP analysis, then (when some output reads `mptcp.*` fields) MPTCP
 * connection analysis on the TCP annotations; the MPTCP tracker is only
 * loaded then.
 */
async function makeAnalyzer(prefs: Prefs, withMptcp: boolean, measurements: boolean): Promise<Analyzer> {
  // Without MPTCP analysis, every output reads a packet's annotations before the next packet: one object serves all.
  const analyzer = new Analyzer({ tcp: { relativeSeq: prefs.relative, summaries: false, transientAnnotations: !withMptcp, measurements } });
  if (withMptcp) {
    const { MptcpTracker, mptcpStage } = await import('../analysis/mptcp/index.js');
    analyzer.use(mptcpStage(new MptcpTracker()));
  }
  return analyzer;
}


/** Options of mpscope's tcpdump lines, which mean something else to tshark users (-v its version, -X nothing). */
const TCPDUMP_ONLY: ReadonlyArray<[key: string, flag: string]> = [['S', '-S'], ['v', '-v'], ['#', '-#'], ['nano', '--nano'], ['X', '-X']];

/** Options that only one output format reads are refused with the others rather than silently ignored. */
function checkFormatOptions(args: ArgReader, format: Format): void {
  if (format !== 'tcpdump') {
    const given = TCPDUMP_ONLY.find(([key]) => args.count(key) > 0);
    if (given !== undefined) {
      const hints: Record<string, string> = { '-v': ' (the detail tree is -V)', '-X': ' (a hex dump with tshark\'s layout is -x)' };
      throw new UsageError(`${given[1]} is an option of the tcpdump format`, `add -T tcpdump${hints[given[1]] ?? ''}`);
    }
  }
  if (args.values('e').length > 0 && format !== 'fields' && format !== 'json' && format !== 'ndjson') {
    throw new UsageError('output fields were given with -e, but not -T fields, json or ndjson', 'example: mpscope read -r FILE -T fields -e frame.number -e tcp.options.mptcp.subtype');
  }
}

export async function runRead(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'read'), 'read');
  if (args.count('help') > 0) {
    process.stdout.write(READ_USAGE + '\n');
    return 0;
  }
  const statSpecs = args.values('z');
  if (statSpecs.includes('help')) {
    process.stdout.write((await import('../present/stats/index.js')).tapHelp());
    return 0;
  }
  const source = args.last('r') ?? args.positional[0];
  if (source === undefined) throw new UsageError('no capture given', 'mpscope read -r FILE   (or -r - for standard input)');
  // tshark takes a trailing filter as an argument: accept it when -Y is absent.
  const extra = args.positional.slice(args.last('r') === undefined ? 1 : 0);
  if (extra.length > 0 && args.last('Y') !== undefined) throw new UsageError(`unexpected argument '${extra[0]}'`, 'give the display filter with -Y only; try: mpscope read --help');
  const filter = await parseDisplayFilter(args.last('Y') ?? (extra.length > 0 ? extra.join(' ') : undefined));
  const format: Format = args.oneOf('T', FORMATS, 'text');
  const prefs = parsePrefs(args.values('o'));
  const rangesSpec = args.last('frames');
  let ranges: FrameRanges | undefined;
  if (rangesSpec !== undefined) {
    const r = parseFrameRanges(rangesSpec);
    if (typeof r === 'string') throw new UsageError(r, 'example: --frames 1-10,15,20-');
    ranges = r;
  }
  const count = args.int('c', 1);

  checkFormatOptions(args, format);
  const fieldNames = args.values('e');
  if (format === 'fields' || fieldNames.length > 0) {
    // Unknown names are usage errors: report them before reading anything.
    if (fieldNames.length === 0) throw new UsageError('-T fields needs at least one -e FIELD', 'example: mpscope read -r FILE -T fields -e frame.number -e tcp.options.mptcp.subtype');
    (await import('../present/fields-out.js')).resolveFields(fieldNames);
  }
  // tshark's detail tree shows the conversation's stream, completeness and times even without sequence analysis.
  const detail = format === 'text' && args.count('V') > 0;
  // tshark builds every packet's tree for a display filter, the detail tree, field output or a tap's filter.
  const treeOutput = filter !== undefined || detail || format === 'fields' || format === 'json' || format === 'ndjson';
  const taps = await makeTaps(statSpecs, treeOutput);
  const tapFields = taps.filterFields;
  const out = new Output();
  const writeTo = args.last('w');
  // tshark's -q: the statistics only. With tcpdump's lines, -q is tcpdump's quick output.
  const quiet = args.count('q') > 0 && format !== 'tcpdump';
  // tshark analyses by default; tcpdump's format and -w need it only for a filter (which may read analysis fields).
  const wantsAnalysis = (writeTo === undefined && format !== 'tcpdump') || filter !== undefined || taps.list.length > 0;
  // The list and tcpdump lines never show MPTCP connection state; the detail tree, JSON, fields and filters may.
  // JSON shows every field unless -e chooses some; then, as for -T fields, only what those read.
  const everyField = (format === 'json' || format === 'ndjson') && fieldNames.length === 0;
  const withMptcp = everyField || readsMptcpAnalysis(fieldNames) || readsMptcpAnalysis(filter?.fields ?? [])
    || readsMptcpAnalysis(tapFields) || taps.list.some((t) => t.needs?.mptcp === true) || (detail && prefs.detail.mptcp !== false);
  // The detail tree, JSON and the MPTCP tracker read the ACK measurements; the list, tcpdump lines and most fields never do.
  const measurements = withMptcp || detail || readsMeasurements(fieldNames) || readsMeasurements(filter?.fields ?? [])
    || readsMeasurements(tapFields) || taps.list.some((t) => t.needs?.measurements === true);
  // Statistics read stream numbers and analysis flags whatever the packet output shows.
  const analyzer = (prefs.analyze || detail || taps.list.length > 0) && wantsAnalysis
    ? await makeAnalyzer({ ...prefs, relative: prefs.relative && prefs.analyze }, withMptcp, measurements)
    : undefined;
  const contexts = filter !== undefined || taps.list.length > 0 ? new (await import('../fields/context.js')).ContextBuilder() : undefined;
  // The packet list, tcpdump lines, field columns and capture files are done with a packet before the next
  // one: one Packet object serves them all. The detail tree and the MPTCP tracker (JSON runs it) may keep parts.
  // The packet list alone reads a packet's bytes only through its headers: those may stay where the reader has them.
  const listOnly = format === 'text' && !detail && args.count('x') === 0 && writeTo === undefined && contexts === undefined && !quiet;
  // Nor does it show an IPv4 header checksum (tshark does not check it unless asked).
  const decoder = !withMptcp && !detail ? new PacketDecoder({ inPlace: listOnly, ipChecksums: !listOnly }) : undefined;
  // Formatters want to know the file format (tshark shows interface fields for pcapng only), which the
  // reader learns from the first bytes: the sink is built when the first interface is announced.
  let sink: Sink | undefined;
  const makeDisplay = writeTo === undefined
    ? quiet ? () => QUIET_SINK : await displaySink(format, args, out, prefs.detail, analyzer !== undefined)
    : undefined;
  const makeCapture = writeTo !== undefined ? await captureSink(writeTo, args) : undefined;
  const makeSink = (fmt: CaptureFormat, snapLen = Infinity): Sink =>
    makeDisplay === undefined ? makeCapture!() : makeDisplay(fmt, snapLen);

  let shown = 0;
  const lastWanted = ranges?.last ?? Infinity;
  // Live input (`tcpdump -U -w - | mpscope read -r -`): packets trickle in, so what was printed goes out
  // while the reader waits, and an interrupt prints what was gathered before ending.
  const live = source === '-' ? liveFlush(() => { sink?.flush?.(); out.flush(); }) : undefined;
  try {
    await readCapture(source, (frame) => {
      if (out.closed) return false;
      // Past the last wanted frame only analysis could still matter, and nothing more is shown.
      if (frame.number > lastWanted) return false;
      const pkt = decoder !== undefined ? decoder.decode(frame) : decodePacket(frame);
      const analysis: PacketAnnotations | undefined = analyzer?.process(pkt);
      sink ??= makeSink('pcap');
      let selected = ranges === undefined || inRanges(ranges, frame.number);
      if (contexts !== undefined) {
        const ctx = contexts.peekTransient(pkt, analysis);
        // tshark's taps see every frame read, whatever the display filter selects.
        for (const tap of taps.list) tap.packet(ctx);
        if (filter !== undefined) selected &&= filter.test(ctx);
        contexts.advance(pkt, selected);
      }
      if (!selected) {
        sink.skipped?.(pkt, analysis);
        return;
      }
      sink.packet(pkt, frame, analysis);
      shown++;
      if (count !== undefined && shown >= count) return false;
      return;
    }, {
      // Nothing here keeps a frame past its callback (the capture writers copy the bytes).
      reuseFrames: true,
      // The packet list decodes in place: no frame needs its own view of its bytes.
      lazyData: listOnly,
      // Nor its bytes, unless the packet is kept whole (the detail tree and the MPTCP tracker may keep parts).
      reuseBuffer: decoder !== undefined,
      onInterface(iface, index, fmt) {
        if (index === 0 && format === 'tcpdump' && writeTo === undefined) {
          // tcpdump's own first line, on standard error as tcpdump writes it.
          process.stderr.write(`reading from file ${source}, link-type ${linkTypeTcpdumpName(iface.linkType)}, snapshot length ${iface.snapLen}\n`);
        }
        sink ??= makeSink(fmt, iface.snapLen > 0 ? iface.snapLen : Infinity);
      },
    });
  } finally {
    live?.stop();
    await (sink ?? makeSink('pcap')).end();
    // As tshark: the statistics after the packets, the last -z first.
    for (let i = taps.list.length - 1; i >= 0; i--) out.write(taps.list[i]!.draw());
    out.flush();
  }
  return 0;
}

/** The display of -q: packets are read and analysed for the statistics, and nothing is printed of them. */
const QUIET_SINK: Sink = { packet() {}, end() {} };

interface Taps {
  list: StatTap[];
  /** Every field the taps' own filters read, for choosing the analysis. */
  filterFields: string[];
}

/** The -z statistics, made before anything is read so that a bad argument stops the command at once. */
async function makeTaps(specs: readonly string[], treeOutput: boolean): Promise<Taps> {
  const taps: Taps = { list: [], filterFields: [] };
  if (specs.length === 0) return taps;
  const { makeTap } = await import('../present/stats/index.js');
  const language = await import('../filter/index.js');
  const env = {
    compileFilter(text: string): TapFilter {
      const f = compileChecked(text, language);
      taps.filterFields.push(...f.fields);
      return (ctx) => f.test(ctx);
    },
    protocolTree: () => treeOutput || taps.filterFields.length > 0,
  };
  for (const spec of specs) taps.list.push(await makeTap(spec, env));
  return taps;
}

/** Flushes every few tenths of a second while input is read, and on SIGINT/SIGTERM before exiting as a shell expects. */
function liveFlush(flush: () => void): { stop(): void } {
  const timer = setInterval(flush, 200);
  timer.unref();
  const onSignal = (signal: NodeJS.Signals): void => {
    flush();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    stop() {
      clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

