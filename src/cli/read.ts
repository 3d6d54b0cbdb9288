import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { linkTypeTcpdumpName, readCapture, PcapWriter, PcapngWriter } from '../capture/index.js';
import type { CaptureFormat, Frame } from '../capture/index.js';
import { decodePacket } from '../wire/index.js';
import type { Packet } from '../wire/types.js';
import { DetailFormatter, ListFormatter, formatHex, formatTcpdumpHex, TcpdumpFormatter } from '../present/index.js';
import type { TimeFormat, TsStyle } from '../present/index.js';
import { JsonWriter, FieldsWriter, parseFieldsOptions, resolveFields } from '../present/index.js';
import { parseFrameRanges, inRanges } from '../util/ranges.js';
import type { FrameRanges } from '../util/ranges.js';
import { UsageError } from '../util/errors.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';

const SPECS: OptionSpec[] = [
  { short: 'r', long: 'read-file', key: 'r', value: true, arg: 'FILE', help: "capture to read (pcap or pcapng, gzip ok); '-' for standard input" },
  { short: 'c', long: 'count', key: 'c', value: true, arg: 'N', help: 'stop after N packets (displayed ones)' },
  { long: 'frames', value: true, arg: 'RANGES', help: 'only these frame numbers, e.g. 1-10,15,20-' },
  { short: 'T', value: true, arg: 'FORMAT', help: 'output: text (default, tshark list), tcpdump, json, ndjson, fields' },
  { short: 'V', help: 'detail tree of every packet (like tshark -V)' },
  { short: 'x', help: 'hex and ASCII dump of every packet (like tshark -x); with -T tcpdump, tcpdump\'s -x (-xx: with the link header)' },
  { short: 'X', help: 'with -T tcpdump: hex and ASCII, like tcpdump -X (-XX: with the link header)' },
  { short: 'e', value: true, arg: 'FIELD', help: 'with -T fields: a field to print (repeatable); see mpscope fields' },
  { short: 'E', value: true, arg: 'K=V', help: 'with -T fields: header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a, aggregator=C' },
  { short: 't', value: true, arg: 'FORMAT', help: 'tshark time: a, ad, d, dd, e, r (default), u, ud; with -T tcpdump: -t, -tt, -ttt, -tttt, -ttttt' },
  { short: 'w', value: true, arg: 'FILE', help: 'write the selected packets to FILE instead of printing them' },
  { short: 'F', value: true, arg: 'FORMAT', help: 'with -w: pcapng (default) or pcap' },
  { short: 'n', help: 'no name resolution (always the case; accepted for habit)' },
  { short: 'S', help: 'with -T tcpdump: absolute TCP sequence numbers' },
  { short: 'v', help: 'with -T tcpdump: verbose (IP header line, checksums); repeat for more' },
  { short: 'q', help: 'with -T tcpdump: quick output (less protocol detail)' },
  { short: '#', help: 'with -T tcpdump: number each line' },
  { long: 'nano', help: 'with -T tcpdump: nanosecond timestamps' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const READ_USAGE = usageText('read', '-r FILE [options]', SPECS);

const FORMATS = ['text', 'tcpdump', 'json', 'ndjson', 'fields'] as const;
type Format = (typeof FORMATS)[number];

interface Selection {
  ranges: FrameRanges | undefined;
  count: number | undefined;
}

/** What a display mode does with each packet that passed the selection. */
interface Sink {
  packet(pkt: Packet, frame: Frame): void;
  /** A packet read but not selected (formatters that keep state still see it). */
  skipped?(pkt: Packet): void;
  end(): Promise<void> | void;
}

export async function runRead(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'read'), 'read');
  if (args.count('help') > 0) {
    process.stdout.write(READ_USAGE + '\n');
    return 0;
  }
  const source = args.last('r') ?? args.positional[0];
  if (source === undefined) throw new UsageError('no capture given', 'mpscope read -r FILE   (or -r - for standard input)');
  if (args.positional.length > (args.last('r') === undefined ? 1 : 0)) {
    throw new UsageError(`unexpected argument '${args.positional.at(-1)}'`, 'display filters (-Y) are not supported yet; try: mpscope read --help');
  }
  const format: Format = args.oneOf('T', FORMATS, 'text');
  const rangesSpec = args.last('frames');
  let ranges: FrameRanges | undefined;
  if (rangesSpec !== undefined) {
    const r = parseFrameRanges(rangesSpec);
    if (typeof r === 'string') throw new UsageError(r, 'example: --frames 1-10,15,20-');
    ranges = r;
  }
  const sel: Selection = { ranges, count: args.int('c', 1) };

  if (format === 'fields') {
    // Unknown names are usage errors: report them before reading anything.
    if (args.values('e').length === 0) throw new UsageError('-T fields needs at least one -e FIELD', 'example: mpscope read -r FILE -T fields -e frame.number -e tcp.options.mptcp.subtype');
    resolveFields(args.values('e'));
  }
  const out = new Output();
  const writeTo = args.last('w');
  // Formatters want to know the file format (tshark shows interface fields for pcapng only), which the
  // reader learns from the first bytes: the sink is built when the first interface is announced.
  let sink: Sink | undefined;
  const makeSink = (fmt: CaptureFormat, snapLen = Infinity): Sink =>
    writeTo !== undefined ? captureSink(writeTo, args) : displaySink(format, args, out, fmt, snapLen);

  let shown = 0;
  const lastWanted = sel.ranges?.last ?? Infinity;
  try {
    await readCapture(source, (frame) => {
      if (frame.number > lastWanted || out.closed) return false;
      const pkt = decodePacket(frame);
      sink ??= makeSink('pcap');
      if (sel.ranges && !inRanges(sel.ranges, frame.number)) {
        sink.skipped?.(pkt);
        return;
      }
      sink.packet(pkt, frame);
      shown++;
      if (sel.count !== undefined && shown >= sel.count) return false;
      return;
    }, {
      onInterface(iface, index, fmt) {
        if (index === 0 && format === 'tcpdump' && writeTo === undefined) {
          // tcpdump's own first line, on standard error as tcpdump writes it.
          const name = source === '-' ? '-' : source;
          process.stderr.write(`reading from file ${name}, link-type ${linkTypeTcpdumpName(iface.linkType)}, snapshot length ${iface.snapLen}\n`);
        }
        sink ??= makeSink(fmt, iface.snapLen > 0 ? iface.snapLen : Infinity);
      },
    });
  } finally {
    await (sink ?? makeSink('pcap')).end();
    out.flush();
  }
  return 0;
}

function displaySink(format: Format, args: ArgReader, out: Output, captureFormat: CaptureFormat, snapLen: number): Sink {
  const detail = args.count('V') > 0;
  const hex = args.count('x') > 0;
  switch (format) {
    case 'tcpdump': {
      const ascii = args.count('X') > 0;
      const dumpLevel = Math.min(2, Math.max(args.count('x'), args.count('X'))) as 0 | 1 | 2;
      const f = new TcpdumpFormatter({
        tsStyle: (args.last('tcpdump-time') ?? 'default') as TsStyle,
        nano: args.count('nano') > 0,
        verbose: Math.min(3, args.count('v')) as 0 | 1 | 2 | 3,
        quiet: args.count('q') > 0,
        absoluteSeq: args.count('S') > 0,
        number: args.count('#') > 0,
      });
      return {
        packet(pkt) {
          out.line(f.format(pkt));
          if (dumpLevel !== 0) out.line(formatTcpdumpHex(pkt, dumpLevel, ascii, snapLen));
        },
        end() {},
      };
    }
    case 'json':
    case 'ndjson': {
      const w = new JsonWriter((s) => out.write(s), { ndjson: format === 'ndjson', captureFormat });
      return { packet(pkt) { w.write(pkt); }, skipped(pkt) { w.skip(pkt); }, end() { w.end(); } };
    }
    case 'fields': {
      const fields = args.values('e');
      const w = new FieldsWriter((s) => out.write(s), fields, { ...parseFieldsOptions(args.values('E')), captureFormat });
      return { packet(pkt) { w.write(pkt); }, skipped(pkt) { w.skip(pkt); }, end() { w.end(); } };
    }
    case 'text': {
      const timeFormat = (args.last('time-format') ?? 'r') as TimeFormat;
      if (detail) {
        const tree = new DetailFormatter({ hex, pcapng: captureFormat === 'pcapng' });
        return {
          packet(pkt, frame) {
            // tshark -V -x: the tree, a blank line, the dump, a blank line.
            out.line(tree.format(pkt));
            out.line('');
            if (hex) {
              out.line(formatHex(frame.data));
              out.line('');
            }
          },
          skipped(pkt) { tree.skip(pkt); },
          end() {},
        };
      }
      const list = new ListFormatter({ timeFormat });
      return {
        packet(pkt) {
          // tshark -x without -V prints the dumps alone.
          if (hex) {
            list.skip(pkt);
            out.line(formatHex(pkt.data));
            out.line('');
            return;
          }
          out.line(list.format(pkt));
        },
        skipped(pkt) { list.skip(pkt); },
        end() {},
      };
    }
  }
}

function captureSink(path: string, args: ArgReader): Sink {
  const kind = args.oneOf('F', ['pcapng', 'pcap'] as const, 'pcapng');
  const stream = path === '-' ? process.stdout : createWriteStream(path);
  const write = (chunk: Uint8Array): void => { stream.write(chunk); };
  let writer: PcapWriter | PcapngWriter | undefined;
  return {
    packet(_pkt, frame) {
      writer ??= kind === 'pcap' ? new PcapWriter(write, { linkType: frame.linkType, nano: frame.tsDigits > 6 }) : new PcapngWriter(write);
      // The reader may reuse its buffer: the writer copies the bytes before returning.
      writer.write(frame);
    },
    async end() {
      if (!writer) writer = kind === 'pcap' ? new PcapWriter(write) : new PcapngWriter(write);
      writer.close();
      if (stream !== process.stdout) {
        (stream as ReturnType<typeof createWriteStream>).end();
        await once(stream, 'close');
      }
    },
  };
}
